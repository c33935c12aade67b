import Foundation
import Graft
import GraftExport
import GraftTestSupport
import XCTest

/// Every backbone, and classifiers with a hidden layer and with the sigmoid head, exported and
/// run by ONNX Runtime on the sample photos, at batch 1 and 5 through the dynamic batch: the
/// checker (full check) passes and the outputs equal Graft's within 1e-4 (relative to the
/// largest output). The pretrained backbones run with their ImageNet weights and classifier;
/// ResNet-50 and VGG16, whose weights cannot be fetched here, with seeded random ones at 64 px.
final class ExportParityTests: ExportTestCase {
    private func checkImageNet(_ kind: BackboneKind) throws {
        let backbone = try pretrained(kind)
        let source = ONNXExportSource(imageNet: backbone, classNames: try ImageNetClasses.load())
        let file = scratch.appendingPathComponent("\(kind.rawValue).onnx")
        try ONNXExport(source, options: ONNXExportOptions(outputs: .both)).write(to: file)
        _ = try checkParity(of: file, source: source, label: "\(kind.rawValue) ImageNet classifier")
    }

    func testEfficientNetLite0() throws { try checkImageNet(.efficientNetLite0) }
    func testEfficientNetLite1() throws { try checkImageNet(.efficientNetLite1) }
    func testEfficientNetLite2() throws { try checkImageNet(.efficientNetLite2) }
    func testMobileNetV2() throws { try checkImageNet(.mobileNetV2) }

    /// A new head on a randomly initialized backbone, at 64 px.
    private func checkRandom(_ kind: BackboneKind, prepare: (any Backbone, Tensor) -> Void) throws {
        let backbone = kind.makeFeatureExtractor(seed: 7)
        let preprocessing = backbone.preprocessing.resized(to: 64)
        let photos = try samples(preprocessing)
        prepare(backbone, Tensor(shape: [photos.count, 3, 64, 64], values: photos.flatMap { $0 }))
        let classifier = ImageClassifier(backbone: backbone, kind: kind, classNames: ["a", "b", "c", "d", "e"],
                                         head: HeadConfiguration(hiddenUnits: [], dropout: 0.2), preprocessing: preprocessing, seed: 8)
        fitOutputLayer(of: classifier, to: photos, labels: [0, 1, 2, 3, 4])
        let source = ONNXExportSource(classifier: classifier)
        let file = scratch.appendingPathComponent("\(kind.rawValue).onnx")
        try ONNXExport(source, options: ONNXExportOptions(outputs: .both)).write(to: file)
        _ = try checkParity(of: file, source: source, label: "\(kind.rawValue) random weights, 64 px")
    }

    func testResNet50() throws {
        // Running statistics of the photos themselves, so that fifty layers of random weights keep
        // the images apart instead of fading to a constant: one training pass moves each running
        // statistic a momentum's step towards the batch's, which gives the batch's back.
        try checkRandom(.resNet50) { backbone, images in
            _ = GradMode.withoutGradients { backbone.features(images, context: ForwardContext(training: true)) }
            for case let norm as BatchNorm2d in backbone.namedModules().map(\.module) {
                let m = norm.momentum
                norm.runningMean.assign(norm.runningMean.values.map { $0 / m })
                norm.runningVar.assign(norm.runningVar.values.map { max(($0 - (1 - m)) / m, 1e-3) })
            }
        }
    }

    /// Running statistics of the photos themselves, as for ResNet-50 (see there).
    private func calibrateRunningStatistics(_ backbone: any Backbone, _ images: Tensor) {
        _ = GradMode.withoutGradients { backbone.features(images, context: ForwardContext(training: true)) }
        for case let norm as BatchNorm2d in backbone.namedModules().map(\.module) {
            let m = norm.momentum
            norm.runningMean.assign(norm.runningMean.values.map { $0 / m })
            norm.runningVar.assign(norm.runningVar.values.map { max(($0 - (1 - m)) / m, 1e-3) })
        }
    }

    /// Squeeze-excite (average pooling over the map, sigmoid gate, broadcast Mul) and SiLU.
    func testEfficientNetB0() throws { try checkRandom(.efficientNetB0, prepare: calibrateRunningStatistics) }

    /// Hard-swish and the hard-sigmoid gate (ONNX HardSigmoid with alpha 1/6, beta 1/2).
    func testMobileNetV3Small() throws { try checkRandom(.mobileNetV3Small, prepare: calibrateRunningStatistics) }

    /// LayerNorm over the channels (Transpose, LayerNormalization, Transpose), GELU through Erf,
    /// the (O, I) Linear weights reshaped to 1x1 kernels, the layer scale as a broadcast Mul. A
    /// layer scale of 0.5 instead of torchvision's initial 1e-6, so that every block's branch counts.
    func testConvNeXtTiny() throws {
        try checkRandom(.convNeXtTiny) { backbone, _ in
            for (name, tensor) in backbone.namedParameters() where name.hasSuffix("layer_scale") {
                tensor.assign([Float](repeating: 0.5, count: tensor.count))
            }
        }
    }

    /// Every dense layer's Concat, BatchNorm (with ReLU) before its convolutions, average-pooled transitions.
    func testDenseNet121() throws { try checkRandom(.denseNet121, prepare: calibrateRunningStatistics) }

    func testVGG16() throws {
        // He-scaled weights: PyTorch's default initialization shrinks each layer's output behind a ReLU.
        try checkRandom(.vgg16) { backbone, _ in
            for (name, tensor) in backbone.namedParameters() where name.hasPrefix("features") {
                let scale: Float = name.hasSuffix("weight") ? Float(6).squareRoot() : 0.1
                tensor.assign(tensor.values.map { $0 * scale })
            }
        }
    }

    /// A classifier saved as `graft train` saves it, exported by the `graft` tool from its folder.
    private func checkSaved(_ classifier: ImageClassifier, label: String) throws {
        let folder = scratch.appendingPathComponent("model")
        try classifier.save(to: folder)
        guard let graft = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool was not built") }
        let file = scratch.appendingPathComponent("model.onnx")
        let result = try graft.run(["export", folder.path, "--out", file.path, "--output", "both"])
        XCTAssertEqual(result.status, 0, result.output)
        let saved = try ImageClassifier.load(from: folder)
        _ = try checkParity(of: file, source: ONNXExportSource(classifier: saved), label: label)
    }

    func testTrainedClassifierWithHiddenLayer() throws {
        let backbone = try pretrained(.efficientNetLite0, keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .efficientNetLite0, classNames: ["cat", "cup", "rocket"],
                                         head: HeadConfiguration(hiddenUnits: [32], dropout: 0.3), imageSize: 96, seed: 11)
        try checkSaved(classifier, label: "efficientnet-lite0 96 px, hidden layer of 32")
    }

    func testTrainedClassifierWithSigmoidHead() throws {
        let backbone = try pretrained(.mobileNetV2, keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .mobileNetV2, classNames: ["no", "yes"],
                                         head: HeadConfiguration(hiddenUnits: [], dropout: 0.2, output: .sigmoid), imageSize: 128, seed: 12)
        // Animals and objects: the cat and the coffee against the rocket, the astronaut and the motorcycle.
        fitOutputLayer(of: classifier, to: try samples(classifier.preprocessing), labels: [0, 0, 1, 1, 1])
        try checkSaved(classifier, label: "mobilenetv2 128 px, sigmoid head")
    }

    /// A multi-label head: one sigmoid per class in the file, as predict and serve compute it,
    /// and its threshold in the metadata.
    func testTrainedClassifierWithMultiLabelHead() throws {
        let backbone = try pretrained(.mobileNetV2, keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .mobileNetV2, classNames: ["animal", "drink", "vehicle"],
                                         head: HeadConfiguration(hiddenUnits: [], dropout: 0.2, output: .multiLabel, threshold: 0.4),
                                         imageSize: 96, seed: 14)
        fitOutputLayer(of: classifier, to: try samples(classifier.preprocessing), labels: [0, 1, 2, 0, 2])
        try checkSaved(classifier, label: "mobilenetv2 96 px, multi-label head")
        let export = try ONNXExport(ONNXExportSource(classifier: classifier))
        XCTAssertEqual(export.summary.operatorCounts["Softmax"], nil)
        XCTAssertEqual(export.summary.operatorCounts["Sigmoid"], 1)
    }

    /// `--pooling max` and `--pooling flatten` heads (global max pooling as MaxPool over the whole
    /// map, flatten as Flatten), saved and exported by the tool like any other.
    func testTrainedClassifiersWithMaxAndFlattenPooling() throws {
        for pooling in [HeadPooling.max, .flatten] {
            let backbone = try pretrained(.mobileNetV2, keepClassifier: false)
            let classifier = ImageClassifier(backbone: backbone, kind: .mobileNetV2, classNames: ["cat", "cup", "rocket"],
                                             head: HeadConfiguration(hiddenUnits: [16], dropout: 0.5, pooling: pooling),
                                             imageSize: 96, seed: 13)
            XCTAssertEqual(classifier.headInputWidth, pooling == .flatten ? 1280 * 3 * 3 : 1280)
            try checkSaved(classifier, label: "mobilenetv2 96 px, \(pooling.rawValue) pooling, hidden layer of 16")
        }
    }
}
