import Foundation
@testable import GraftModels
import XCTest

/// Asking for ResNet-50's or VGG16's weights says how to use them: a checkpoint with --weights.
final class WeightsLookupTests: XCTestCase {
    func testABackboneWithoutFetchableWeightsPointsToWeightsFile() throws {
        XCTAssertEqual(PackagedFiles.backbonesWithoutWeights, [.resNet50, .vgg16])
        for name in ["resnet50", "vgg16"] {
            XCTAssertThrowsError(try PackagedFiles.files(named: name)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(name) has no weights that can be fetched here"), "\(error)")
                XCTAssertTrue("\(error)".contains("--weights FILE"), "\(error)")
            }
        }
        XCTAssertEqual(try PackagedFiles.files(named: "efficientnet-lite0").map(\.name), ["efficientnet-lite0"])
        XCTAssertEqual(try PackagedFiles.files(named: "sample-photos").count, PackagedFiles.samplePhotos.count)
        XCTAssertThrowsError(try PackagedFiles.files(named: "alexnet")) { error in
            XCTAssertTrue("\(error)".contains("no weights named 'alexnet'; known: efficientnet-lite0"), "\(error)")
        }
    }
}
