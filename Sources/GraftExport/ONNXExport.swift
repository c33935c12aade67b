import Foundation
import Graft
import SwiftProtobuf

/// A model exported to ONNX: the file's bytes, checked, and what they hold.
///
/// The graph comes from Graft's inference trace (`InferenceTrace`): the pass runs once at batch
/// 1 and once at batch 2, fused as Graft's own inference runs (BatchNorm folded into the
/// convolutions), and each traced op becomes the standard ONNX ops that compute the same.
public struct ONNXExport {
    /// The serialized ModelProto.
    public let data: Data
    public let summary: ONNXExportSummary

    /// Traces `source`, builds the graph, checks it and serializes it. Throws
    /// `ONNXExportError` for a model the graph cannot reproduce (naming the layer) or
    /// `InvalidSetting` for bad options.
    public init(_ source: ONNXExportSource, options: ONNXExportOptions = ONNXExportOptions()) throws {
        try options.validate()
        let p = source.preprocessing
        let single = Self.trace(source, batch: 1, seed: 1), pair = Self.trace(source, batch: 2, seed: 2)
        let classes = source.classNames.count
        guard single[single.output].shape == [1, classes] else {
            throw ONNXExportError.outputShape(expected: "(N, \(classes)) for \(classes) class names", traced: single[single.output].shape)
        }
        let layers = LayerNames(single)
        let batch = try BatchAnalysis(single: single, pair: pair, layers: layers)

        var lowering = TraceLowering(trace: single, batch: batch, layers: layers, opset: options.opset,
                                     reserving: [ONNXNames.input, ONNXNames.logits, ONNXNames.probabilities, ONNXNames.uncalibratedLogits])
        let calibrated = source.temperature != 1
        try lowering.lowerAll(output: calibrated ? ONNXNames.uncalibratedLogits : ONNXNames.logits)
        var graph = lowering.graph
        let outputShape: Shape = [.batch, .fixed(classes)]
        if calibrated {
            // The division Graft's own prediction performs (`temperatureScaled`), in float32.
            graph.add("Div", [ONNXNames.uncalibratedLogits, graph.scalar(Float(source.temperature))], name: "calibration",
                      output: ONNXNames.logits)
            graph.declare(ONNXNames.logits, shape: outputShape)
        }
        if options.outputs != .logits {
            Self.addProbabilities(to: &graph, output: source.headOutput)
            graph.declare(ONNXNames.probabilities, shape: outputShape)
        }
        let inputShape: Shape = [.batch, .fixed(3), .fixed(p.height), .fixed(p.width)]
        try GraphCheck.check(nodes: graph.nodes, initializers: graph.initializers, inputs: [(ONNXNames.input, inputShape)],
                             declared: graph.declaredShapes, outputs: options.outputs.names)

        let model = try Self.model(graph, source: source, options: options, inputShape: inputShape, outputShape: outputShape)
        data = try model.serializedData()
        summary = ONNXExportSummary(
            opset: options.opset, batch: options.batch, inputShape: [options.batch == .dynamic ? ONNXNames.batch : options.batch.description, "3", "\(p.height)", "\(p.width)"],
            outputs: options.outputs.names, classes: classes, nodes: graph.nodes.count,
            operatorCounts: Dictionary(graph.nodes.map { ($0.opType, 1) }, uniquingKeysWith: +),
            parameters: graph.initializers.filter { $0.elementType == .float }.map { Int($0.dims.reduce(1, *)) }.reduce(0, +),
            bytes: data.count)
    }

    /// Writes the file atomically: a reader sees the old file or the whole new one, and a failed
    /// write leaves nothing behind.
    public func write(to url: URL) throws {
        try writeAtomically(data, to: url)
    }

    /// The inference pass at `batch`, on seeded random images (the two traces see different
    /// ones, so a value computed from the images outside the traced ops shows as changing).
    private static func trace(_ source: ONNXExportSource, batch: Int, seed: UInt64) -> InferenceTrace {
        var generator = SeededGenerator(seed: seed)
        let images = Tensor.normal([batch, 3, source.preprocessing.height, source.preprocessing.width], generator: &generator)
        return InferenceTrace.capture(inputs: [images], names: source.model.stateTensors()) {
            GradMode.withoutGradients { source.logits(images, ForwardContext(training: false, fusion: true)) }
        }.trace
    }

    /// `probabilities` from `logits`: a softmax over the classes; for a two-class sigmoid head,
    /// whose logits are [0, z], the sigmoid of each logit minus the other: (sigmoid(-z), sigmoid(z)),
    /// the same numbers without forming 1 - sigmoid(z); for a multi-label head the sigmoid of
    /// each logit.
    private static func addProbabilities(to graph: inout GraphBuilder, output: HeadOutput) {
        switch output {
        case .sigmoid:
            let swapped = graph.add("Gather", [ONNXNames.logits, graph.int64Constant([1, 0])], name: "head",
                                    attributes: [.int("axis", 1)])
            let difference = graph.add("Sub", [ONNXNames.logits, swapped], name: "head")
            graph.add("Sigmoid", [difference], name: "head", output: ONNXNames.probabilities)
        case .multiLabel:
            graph.add("Sigmoid", [ONNXNames.logits], name: "head", output: ONNXNames.probabilities)
        case .softmax:
            graph.add("Softmax", [ONNXNames.logits], name: "head", attributes: [.int("axis", 1)], output: ONNXNames.probabilities)
        }
    }

    private static func model(_ graph: GraphBuilder, source: ONNXExportSource, options: ONNXExportOptions,
                              inputShape: Shape, outputShape: Shape) throws -> ONNXModelProto {
        var g = ONNXGraphProto()
        g.name = "graft_\(source.architecture)"
        g.node = graph.nodes
        g.initializer = graph.initializers
        g.input = [ONNXValueInfoProto(name: ONNXNames.input, element: .float, shape: inputShape, batch: options.batch)]
        g.output = options.outputs.names.map { ONNXValueInfoProto(name: $0, element: .float, shape: outputShape, batch: options.batch) }
        let boundary = Set([ONNXNames.input] + options.outputs.names)
        g.valueInfo = graph.declaredShapes.filter { !boundary.contains($0.name) }.map {
            ONNXValueInfoProto(name: $0.name, element: .float, shape: $0.shape, batch: options.batch)
        }

        var model = ONNXModelProto()
        model.irVersion = options.irVersion
        var opset = ONNXOperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(options.opset)
        model.opsetImport = [opset]
        model.producerName = "graft"
        model.producerVersion = graftVersion
        model.docString = "\(source.architecture) image classifier (\(source.classNames.count) classes) exported by Graft \(graftVersion)"
        model.graph = g
        model.metadataProps = try ExportMetadata.properties(of: source).map { key, value in
            var entry = ONNXStringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        return model
    }
}

/// What an exported file holds, for a command to print.
public struct ONNXExportSummary: Equatable, Sendable {
    public let opset: Int
    public let batch: ONNXBatchSize
    /// "batch", "3", "224", "224" (or the fixed batch size).
    public let inputShape: [String]
    public let outputs: [String]
    public let classes: Int
    public let nodes: Int
    /// How many nodes of each op type ("Conv": 65, ...).
    public let operatorCounts: [String: Int]
    /// Weights and biases, in elements.
    public let parameters: Int
    public let bytes: Int
}
