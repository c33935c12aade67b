import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// Structure of each backbone: sizes known from the reference implementations, names, groups.
final class ArchitectureTests: XCTestCase {
    private func parameterCount(_ m: Module) -> Int { m.namedParameters().reduce(0) { $0 + $1.tensor.count } }

    func testParameterCountsMatchTorchvision() {
        // torchvision's published size (ReferenceParityTests and SqueezeExciteParityTests check the others against torchvision's count).
        XCTAssertEqual(parameterCount(MobileNetV2()), 3_504_872)
    }

    /// torchvision's names, depths and widths: B0 has 16 MBConv blocks in seven stages, B3 26 and
    /// a 1536-channel head; the first block of each stage has no expansion only in stage 1.
    func testEfficientNetStructure() {
        let b0 = EfficientNet(.b0)
        XCTAssertEqual(b0.blockNames.count, 18)  // stem, 16 blocks, head
        XCTAssertEqual(b0.namedParameters().first?.name, "features.0.0.weight")
        let shapes = Dictionary(uniqueKeysWithValues: b0.stateTensors().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(shapes["features.1.0.block.0.0.weight"], [32, 1, 3, 3], "stage 1 starts with the depthwise convolution")
        XCTAssertEqual(shapes["features.1.0.block.1.fc1.weight"], [8, 32, 1, 1])
        XCTAssertEqual(shapes["features.2.0.block.0.0.weight"], [96, 16, 1, 1])
        XCTAssertEqual(shapes["features.2.0.block.2.fc1.bias"], [4])
        XCTAssertEqual(shapes["features.7.0.block.3.1.running_var"], [320])
        XCTAssertEqual(shapes["features.8.0.weight"], [1280, 320, 1, 1])
        XCTAssertEqual(shapes["classifier.1.weight"], [1000, 1280])
        XCTAssertEqual(EfficientNet.stageDepths(.b3), [2, 3, 3, 5, 5, 6, 2])
        XCTAssertEqual(EfficientNet(.b3).blockNames.count, 28)
        XCTAssertEqual(EfficientNet.blockSpecs(.b2).first?.inChannels, 32)
        XCTAssertEqual(EfficientNet.blockSpecs(.b3).first?.inChannels, 40)
        XCTAssertEqual([EfficientNet.Variant.b0, .b1, .b2, .b3].map(\.featureWidth), [1280, 1280, 1408, 1536])
        XCTAssertEqual(EfficientNet(.b2).preprocessing.resize, .shorterSideThenCenterCrop(288))
    }

    /// Stochastic depth rises linearly with the block index, from 0 to 0.2 * 15 / 16 in B0.
    func testEfficientNetStochasticDepthRisesLinearly() {
        let probabilities = EfficientNet(.b0).namedModules().compactMap { ($0.1 as? SqueezeExciteBlock)?.stochasticDepthProbability }
        XCTAssertEqual(probabilities.count, 16)
        XCTAssertEqual(probabilities.first, 0)
        XCTAssertEqual(Double(probabilities.last!), 0.2 * 15 / 16, accuracy: 1e-7)
        XCTAssertEqual(Double(probabilities[8]), 0.2 * 8 / 16, accuracy: 1e-7)
    }

    /// torchvision's names and shapes (the blocks' Linear weights (out, in), the layer scale
    /// (C, 1, 1)); stochastic depth from 0 in the first block to 0.1 in the 18th.
    func testConvNeXtStructure() {
        let shapes = Dictionary(uniqueKeysWithValues: ConvNeXt().stateTensors().map { ($0.name, $0.tensor.shape) })
        let expected: [String: [Int]] = [
            "features.0.0.weight": [96, 3, 4, 4], "features.0.1.weight": [96], "features.1.0.block.0.weight": [96, 1, 7, 7],
            "features.1.0.block.2.bias": [96], "features.1.0.block.3.weight": [384, 96], "features.1.0.block.5.weight": [96, 384],
            "features.1.0.layer_scale": [96, 1, 1], "features.2.0.weight": [96], "features.2.1.weight": [192, 96, 2, 2],
            "features.5.8.block.3.bias": [1536], "features.7.2.layer_scale": [768, 1, 1], "classifier.0.weight": [768],
            "classifier.2.weight": [1000, 768],
        ]
        for (key, shape) in expected { XCTAssertEqual(shapes[key], shape, key) }
        XCTAssertNil(shapes["features.8.0.weight"])
        let probabilities = ConvNeXt().namedModules().compactMap { ($0.1 as? ConvNeXtBlock)?.stochasticDepthProbability }
        XCTAssertEqual(probabilities.count, 18)
        XCTAssertEqual(probabilities.first, 0)
        XCTAssertEqual(Double(probabilities.last!), 0.1, accuracy: 1e-7)
        XCTAssertEqual(Double(probabilities[9]), 0.1 * 9 / 17, accuracy: 1e-7)
        XCTAssertEqual(ConvNeXt().blockNames.count, 1 + 18 + 1)
    }

    /// torchvision's names; 58 dense layers, each reading all the channels before it in its block.
    func testDenseNetStructure() {
        let shapes = Dictionary(uniqueKeysWithValues: DenseNet().stateTensors().map { ($0.name, $0.tensor.shape) })
        let expected: [String: [Int]] = [
            "features.conv0.weight": [64, 3, 7, 7], "features.norm0.running_var": [64],
            "features.denseblock1.denselayer1.norm1.weight": [64], "features.denseblock1.denselayer1.conv1.weight": [128, 64, 1, 1],
            "features.denseblock1.denselayer6.conv2.weight": [32, 128, 3, 3], "features.transition1.conv.weight": [128, 256, 1, 1],
            "features.denseblock3.denselayer24.norm1.bias": [256 + 23 * 32], "features.transition3.norm.weight": [1024],
            "features.denseblock4.denselayer16.norm2.running_mean": [128], "features.norm5.weight": [1024],
            "classifier.weight": [1000, 1024],
        ]
        for (key, shape) in expected { XCTAssertEqual(shapes[key], shape, key) }
        XCTAssertEqual(DenseNet().blockNames.count, 1 + 58)
    }

    /// torchvision's names and widths; squeeze-excite only where its table has it.
    func testMobileNetV3Structure() {
        let large = MobileNetV3(.large), small = MobileNetV3(.small)
        XCTAssertEqual(large.blockNames.count, 17)  // stem, 15 blocks, head
        XCTAssertEqual(small.blockNames.count, 13)
        let shapes = Dictionary(uniqueKeysWithValues: large.stateTensors().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(shapes["features.1.block.0.0.weight"], [16, 1, 3, 3], "block 1 has no expansion")
        XCTAssertEqual(shapes["features.4.block.2.fc1.weight"], [24, 72, 1, 1], "squeeze width: make_divisible(72 / 4, 8)")
        XCTAssertNil(shapes["features.7.block.2.fc1.weight"], "block 7 has no squeeze-excite")
        XCTAssertEqual(shapes["features.16.0.weight"], [960, 160, 1, 1])
        XCTAssertEqual(shapes["classifier.0.weight"], [1280, 960])
        XCTAssertEqual(shapes["classifier.3.weight"], [1000, 1280])
        let smallShapes = Dictionary(uniqueKeysWithValues: small.stateTensors().map { ($0.name, $0.tensor.shape) })
        XCTAssertEqual(smallShapes["features.1.block.1.fc1.weight"], [8, 16, 1, 1])
        XCTAssertEqual(smallShapes["features.12.0.weight"], [576, 96, 1, 1])
        XCTAssertEqual(smallShapes["classifier.3.weight"], [1000, 1024])
        XCTAssertEqual(large.preprocessing, .imageNet)
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
        for backbone in [EfficientNetLite(.lite0), MobileNetV2(), ResNet(.resNet50), EfficientNet(.b1), MobileNetV3(.large),
                         MobileNetV3(.small), ConvNeXt(), DenseNet()] as [any Backbone] {
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
