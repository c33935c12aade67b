/// Why a model could not be exported. Each names the layer (its parameter keys' prefix, or the
/// op and where it sits when it has none) and says why.
public enum ONNXExportError: Error, CustomStringConvertible, Equatable {
    /// The model does something an ONNX graph of its trace cannot reproduce.
    case unexportable(layer: String, reason: String)
    /// The graph built from the trace failed Graft's own check: a bug in the exporter, reported
    /// instead of writing a file that runtimes would reject.
    case invalidGraph(node: String, reason: String)
    /// The model's logits are not (N, classes) for its class names.
    case outputShape(expected: String, traced: [Int])

    public var description: String {
        switch self {
        case let .unexportable(layer, reason):
            return "cannot export layer \(layer) to ONNX: \(reason)"
        case let .invalidGraph(node, reason):
            return "the ONNX graph Graft built is invalid at node \(node): \(reason) (a bug in Graft's exporter; nothing was written)"
        case let .outputShape(expected, traced):
            return "the model's logits have shape \(traced), not \(expected)"
        }
    }
}
