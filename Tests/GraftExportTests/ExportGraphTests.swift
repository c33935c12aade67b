import Foundation
import Graft
@testable import GraftExport
import XCTest

/// The graph and metadata of exported files, read back from the bytes: BatchNorm folded, ReLU6
/// as Clip, TensorFlow's SAME padding as explicit pads, the batch symbolic or fixed, the outputs
/// asked for, the metadata a consumer needs. No Python: these run everywhere.
final class ExportGraphTests: XCTestCase {
    /// Not at 64 px: FusedInferenceTests counts the fused primitives its own pass at 64 px creates,
    /// and an export traces at batch 2 as it does.
    private func lite0(classes: Int = 4, size: Int = 48) -> ONNXExportSource {
        let backbone = EfficientNetLite(.lite0, classes: classes, seed: 3)
        return ONNXExportSource(model: backbone, classNames: (0..<classes).map { "class \($0)" },
                                preprocessing: backbone.preprocessing.resized(to: size), architecture: backbone.architecture) {
            backbone($0, context: $1)
        }
    }

    private func read(_ export: ONNXExport) throws -> ONNXModelProto {
        try ONNXModelProto(serializedBytes: export.data)
    }

    private func dims(_ value: ONNXValueInfoProto) -> [String] {
        value.type.tensorType.shape.dim.map { d in
            if case .dimParam(let name)? = d.value { return name }
            return "\(d.dimValue)"
        }
    }

    func testEfficientNetGraphFoldsBatchNormAndSpellsOutReLU6AndSamePadding() throws {
        let source = lite0()
        let model = try read(try ONNXExport(source))
        let graph = model.graph
        let ops = graph.node.map(\.opType)
        let convolutions = source.model.namedModules().filter { $0.module is Conv2d }.count
        XCTAssertEqual(ops.filter { $0 == "Conv" }.count, convolutions, "every convolution, the fused depthwise ones included")
        XCTAssertFalse(ops.contains("BatchNormalization"), "BatchNorm is folded into the convolutions")
        XCTAssertFalse(ops.contains("Dropout"))
        XCTAssertEqual(ops.suffix(4), ["GlobalAveragePool", "Flatten", "Gemm", "Softmax"])
        // ReLU6: Clip with the scalar bounds 0 and 6 as inputs (opset 11 and later).
        let clip = try XCTUnwrap(graph.node.first { $0.opType == "Clip" })
        let bounds = clip.input.dropFirst().map { name in graph.initializer.first { $0.name == name }! }
        XCTAssertEqual(bounds.map(\.dims), [[], []])
        XCTAssertEqual(bounds.map { Float(bitPattern: $0.rawData.withUnsafeBytes { $0.load(as: UInt32.self) }) }, [0, 6])
        // The stem: 3x3 stride 2 on 48 px pads 0 before and 1 after (ONNX: top, left, bottom, right).
        let stem = graph.node[0]
        XCTAssertEqual(stem.opType, "Conv")
        XCTAssertEqual(stem.intsAttribute("pads"), [0, 0, 1, 1])
        XCTAssertEqual(stem.intsAttribute("strides"), [2, 2])
        XCTAssertEqual(stem.name, "_conv_stem/Conv")
        XCTAssertEqual(stem.input, ["input", "_conv_stem.weight.bn_folded", "_conv_stem.bias.bn_folded"])
        XCTAssertTrue(graph.node.contains { $0.opType == "Conv" && $0.intAttribute("group", default: 1) > 1 }, "depthwise convolutions")
        // The weights as Graft's fused inference runs them: w * scale / sqrt(var + eps).
        let weights = try XCTUnwrap(graph.initializer.first { $0.name == "_conv_stem.weight.bn_folded" })
        let backbone = source.model
        let state = Dictionary(uniqueKeysWithValues: backbone.stateTensors().map { ($0.name, $0.tensor.values) })
        let factor = state["_bn0.weight"]![0] / (state["_bn0.running_var"]![0] + 1e-3).squareRoot()
        let first = Float(bitPattern: weights.rawData.withUnsafeBytes { $0.load(as: UInt32.self) })
        XCTAssertEqual(first, state["_conv_stem.weight"]![0] * factor, accuracy: 1e-6)

        XCTAssertEqual(model.irVersion, 8)
        XCTAssertEqual(model.opsetImport.map(\.version), [17])
        XCTAssertEqual(model.producerName, "graft")
        XCTAssertEqual(graph.input.map(\.name), ["input"])
        XCTAssertEqual(dims(graph.input[0]), ["batch", "3", "48", "48"])
        XCTAssertEqual(graph.output.map(\.name), ["probabilities"])
        XCTAssertEqual(dims(graph.output[0]), ["batch", "4"])
        // Every value the trace knew has its shape declared.
        XCTAssertGreaterThan(graph.valueInfo.count, convolutions / 2)
    }

    func testMetadataCarriesWhatAConsumerNeedsToPreprocess() throws {
        let source = lite0()
        let model = try read(try ONNXExport(source))
        let metadata = Dictionary(uniqueKeysWithValues: model.metadataProps.map { ($0.key, $0.value) })
        XCTAssertEqual(Set(metadata.keys), ["graft_version", "backbone", "head_output", "class_names", "input_size", "input_layout",
                                            "preprocessing", "preprocessing_steps", "temperature"])
        XCTAssertEqual(metadata["temperature"], "1")
        XCTAssertEqual(metadata["graft_version"], graftVersion)
        XCTAssertEqual(metadata["backbone"], "efficientnet-lite0")
        XCTAssertEqual(metadata["input_size"], "[48,48]")
        XCTAssertEqual(try JSONDecoder().decode([String].self, from: Data(metadata["class_names"]!.utf8)), source.classNames)
        let preprocessing = try JSONDecoder().decode(PreprocessingDescription.self, from: Data(metadata["preprocessing"]!.utf8))
        XCTAssertEqual(try preprocessing.preprocessing(source: "metadata"), source.preprocessing)
        XCTAssertTrue(metadata["preprocessing_steps"]!.contains("(x - 127.0) * 0.0078125"), metadata["preprocessing_steps"]!)
        XCTAssertTrue(metadata["preprocessing_steps"]!.contains("0.875 of the shorter side"))

        let mobileNet = MobileNetV2(classes: 3, seed: 1)
        let imageNet = try read(try ONNXExport(ONNXExportSource(imageNet: mobileNet, classNames: ["a", "b", "c"])))
        let steps = imageNet.metadataProps.first { $0.key == "preprocessing_steps" }!.value
        XCTAssertTrue(steps.contains("shorter side is 256 pixels"), steps)
        XCTAssertTrue(steps.contains("[0.485, 0.456, 0.406]"), steps)
    }

    func testFixedBatchAndOutputChoices() throws {
        let source = lite0(size: 32)
        let fixed = try read(try ONNXExport(source, options: ONNXExportOptions(batch: .fixed(4), outputs: .both))).graph
        XCTAssertEqual(fixed.output.map(\.name), ["probabilities", "logits"])
        XCTAssertEqual(dims(fixed.input[0]), ["4", "3", "32", "32"])
        XCTAssertEqual(fixed.output.map(dims), [["4", "4"], ["4", "4"]])
        XCTAssertFalse(fixed.valueInfo.contains { dims($0).contains("batch") })
        let logits = try read(try ONNXExport(source, options: ONNXExportOptions(outputs: .logits))).graph
        XCTAssertEqual(logits.output.map(\.name), ["logits"])
        XCTAssertFalse(logits.node.contains { $0.opType == "Softmax" })
    }

    func testOperatorSetsAndTheirIRVersions() throws {
        let source = lite0(size: 32)
        for (opset, ir) in [(13, 7), (15, 8), (19, 9), (21, 10)] {
            let model = try read(try ONNXExport(source, options: ONNXExportOptions(opset: opset)))
            XCTAssertEqual(model.irVersion, Int64(ir), "opset \(opset)")
            XCTAssertEqual(model.opsetImport.map(\.version), [Int64(opset)])
        }
        for bad in [ONNXExportOptions(opset: 12), ONNXExportOptions(opset: 22), ONNXExportOptions(batch: .fixed(0))] {
            XCTAssertThrowsError(try ONNXExport(source, options: bad)) { error in
                XCTAssertTrue(error is InvalidSetting, "\(error)")
            }
        }
        XCTAssertEqual(ONNXBatchSize("dynamic"), .dynamic)
        XCTAssertEqual(ONNXBatchSize("8"), .fixed(8))
        XCTAssertNil(ONNXBatchSize("eight"))
    }

    func testSigmoidHeadGivesTwoProbabilitiesFromItsOneLogit() throws {
        let classifier = ImageClassifier(backbone: BackboneKind.mobileNetV2.makeFeatureExtractor(seed: 3), kind: .mobileNetV2,
                                         classNames: ["no", "yes"], head: HeadConfiguration(hiddenUnits: [8], output: .sigmoid),
                                         imageSize: 32, seed: 4)
        let graph = try read(try ONNXExport(ONNXExportSource(classifier: classifier), options: ONNXExportOptions(outputs: .both))).graph
        let ops = graph.node.map(\.opType)
        // logits [0, z]: the zero column sized from the input's batch; probabilities sigmoid([0 - z, z - 0]).
        XCTAssertTrue(ops.contains("ConstantOfShape"))
        XCTAssertEqual(ops.suffix(4), ["Concat", "Gather", "Sub", "Sigmoid"])
        XCTAssertFalse(ops.contains("Softmax"))
        XCTAssertEqual(ops.filter { $0 == "Gemm" }.count, 2, "the hidden layer and the output layer")
        XCTAssertEqual(graph.node.first { $0.opType == "Gemm" }?.input[1], "head.0.weight")
        XCTAssertEqual(graph.output.map(dims), [["batch", "2"], ["batch", "2"]])
    }
}
