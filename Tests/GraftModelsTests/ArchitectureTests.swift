import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// Structure of each backbone: sizes known from the reference implementations, names, groups.
final class ArchitectureTests: XCTestCase {
    private func parameterCount(_ m: Module) -> Int { m.namedParameters().reduce(0) { $0 + $1.tensor.count } }

    func testParameterCountsMatchTorchvision() {
        // torchvision's published size (ReferenceParityTests check the others against torchvision's count).
        XCTAssertEqual(parameterCount(MobileNetV2()), 3_504_872)
    }

    func testEfficientNetLite0Structure() {
        let m = EfficientNetLite(.lite0)
        XCTAssertEqual(m.blockNames.count, 18)  // stem, 16 blocks, head
        XCTAssertEqual(m.namedParameters().first?.name, "_conv_stem.weight")
        XCTAssertTrue(m.namedParameters().contains { $0.name == "_blocks.15._project_conv.weight" && $0.tensor.shape == [320, 1152, 1, 1] })
        XCTAssertFalse(m.namedParameters().contains { $0.name.hasPrefix("_blocks.0._expand_conv") }, "block 0 has no expansion")
    }

    func testLiteVariantsKeepStemAndHeadAndDeepen() {
        XCTAssertEqual(EfficientNetLite.blockSpecs(.lite0).count, 16)
        // Lite1 and Lite2 repeat the middle stages more, never the first and last.
        XCTAssertGreaterThan(EfficientNetLite.blockSpecs(.lite1).count, 16)
        XCTAssertEqual(EfficientNetLite.blockSpecs(.lite2).first?.inChannels, 32)
        XCTAssertEqual(EfficientNetLite.blockSpecs(.lite2).last?.outChannels, 352)
    }

    func testBlockGroupsCoverTheFeatureExtractorExactlyOnce() {
        for backbone in [EfficientNetLite(.lite0), MobileNetV2(), ResNet(.resNet50)] as [any Backbone] {
            let keys = backbone.featureStateTensors().map(\.name)
            for key in keys {
                let owners = backbone.blockGroups.filter { g in g.prefixes.contains { key.hasPrefix($0 + ".") } }
                XCTAssertEqual(owners.count, 1, "\(backbone.architecture): \(key) is in \(owners.map(\.name))")
            }
            XCTAssertEqual(backbone.blockNames.first, "stem")
        }
    }

    func testFreezingTheLastBlocks() {
        let m = MobileNetV2()
        m.freezeAllBut(last: 2)
        let trainable = Set(m.namedParameters().filter(\.tensor.requiresGrad).map { $0.name.split(separator: ".").prefix(2).joined(separator: ".") })
        // The last two groups are block 16 (features.17) and the head (features.18); the classifier is not a group.
        XCTAssertEqual(trainable, ["features.17", "features.18", "classifier.1"])
    }

    func testForwardShapes() {
        var g = SeededGenerator(seed: 1)
        let x = Tensor.normal([2, 3, 64, 64], generator: &g)
        for backbone in [EfficientNetLite(.lite0, classes: 5), MobileNetV2(classes: 5), ResNet(.resNet50, classes: 5)] as [any Backbone] {
            let context = ForwardContext.inference
            XCTAssertEqual(backbone.features(x, context: context).shape, [2, backbone.featureWidth], backbone.architecture)
            XCTAssertEqual(backbone(x, context: context).shape, [2, 5], backbone.architecture)
        }
        XCTAssertEqual(VGG(.vgg16, classes: 5).features(Tensor.normal([1, 3, 32, 32], generator: &g), context: .inference).shape, [1, 512])
    }
}
