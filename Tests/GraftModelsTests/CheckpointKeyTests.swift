import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// The typed layers of MobileNetV2's inverted residuals and ResNet-50's shortcuts keep
/// torchvision's checkpoint keys, in torchvision's order.
final class CheckpointKeyTests: XCTestCase {
    func testMobileNetV2InvertedResidualKeys() {
        let keys = MobileNetV2(classes: 2).stateTensors().map(\.name)
        // features.1 has no expansion: depthwise (conv.0), project (conv.1), its norm (conv.2).
        let block1 = keys.filter { $0.hasPrefix("features.1.") && $0.hasSuffix("weight") }
        XCTAssertEqual(block1, ["features.1.conv.0.0.weight", "features.1.conv.0.1.weight", "features.1.conv.1.weight",
                                "features.1.conv.2.weight"])
        let block2 = keys.filter { $0.hasPrefix("features.2.") && $0.hasSuffix("weight") }
        XCTAssertEqual(block2, ["features.2.conv.0.0.weight", "features.2.conv.0.1.weight", "features.2.conv.1.0.weight",
                                "features.2.conv.1.1.weight", "features.2.conv.2.weight", "features.2.conv.3.weight"])
        XCTAssertTrue(keys.contains("features.17.conv.3.running_var"))
        XCTAssertEqual(keys.count, 262)
    }

    func testResNet50ShortcutKeys() {
        let keys = ResNet(.resNet50, classes: 2).stateTensors().map(\.name)
        XCTAssertTrue(keys.contains("layer1.0.downsample.0.weight"))
        XCTAssertTrue(keys.contains("layer2.0.downsample.1.running_mean"))
        XCTAssertFalse(keys.contains { $0.hasPrefix("layer1.1.downsample") })
        XCTAssertEqual(keys.filter { $0.contains("downsample") }.count, 4 * 5)
    }
}
