import XCTest
@testable import GraftModels

final class PredictionTests: XCTestCase {
    func testTopPredictionsAreSoftmaxProbabilitiesInOrder() {
        let logits: [Float] = [1, 3, 2, 0, /* second row */ 1000, 1000, 999, -5]
        let top = topPredictions(logits: logits, classes: ["a", "b", "c", "d"], k: 2)
        XCTAssertEqual(top.count, 2)
        XCTAssertEqual(top[0].map(\.label), ["b", "c"])
        let z = exp(1.0) + exp(3.0) + exp(2.0) + exp(0.0)
        XCTAssertEqual(Double(top[0][0].probability), exp(3.0) / z, accuracy: 1e-6)
        // Large logits stay finite; ties keep index order.
        XCTAssertEqual(top[1].map(\.index), [0, 1])
        XCTAssertEqual(Double(top[1][0].probability), 1 / (2 + exp(-1.0) + exp(-1005.0)), accuracy: 1e-6)
    }

    func testPackagedFileNames() {
        XCTAssertEqual(PackagedFiles.named("sample-photos")?.count, PackagedFiles.samplePhotos.count)
        XCTAssertEqual(PackagedFiles.named("mobilenetv2")?.first?.fileName, "mobilenet_v2-b0353104.pth")
        XCTAssertEqual(PackagedFiles.named("resnet50")?.first?.fileName, "resnet50-0676ba61.pth")
        XCTAssertEqual(BackboneKind.resNet50.pretrainedFile?.fileName, "resnet50-0676ba61.pth")
        XCTAssertEqual(BackboneKind.vgg16.pretrainedFile?.fileName, "vgg16-397923af.pth")
    }

    func testCacheFolderFollowsGraftHome() {
        let cache = WeightsCache(root: URL(fileURLWithPath: "/tmp/graft-test-cache"))
        XCTAssertEqual(cache.path(of: PackagedFiles.efficientNetLite0).path, "/tmp/graft-test-cache/efficientnet-lite0-57934424.pth")
        XCTAssertThrowsError(try cache.require(PackagedFiles.efficientNetLite0)) { error in
            XCTAssertTrue("\(error)".contains("graft weights fetch efficientnet-lite0"), "\(error)")
        }
    }
}
