import Graft

/// How `ONNXExport` writes a model: the operator set, the batch dimension and which outputs.
public struct ONNXExportOptions: Equatable, Sendable {
    /// The ONNX operator-set version the graph imports. Every op Graft emits means the same from
    /// 13 (Softmax over one axis) to 21; the file's IR version follows from it.
    public var opset: Int
    public var batch: ONNXBatchSize
    public var outputs: ONNXOutputs

    public init(opset: Int = 17, batch: ONNXBatchSize = .dynamic, outputs: ONNXOutputs = .probabilities) {
        self.opset = opset
        self.batch = batch
        self.outputs = outputs
    }

    public static let supportedOpsets = 13...21
    /// A fixed batch beyond this is a typo, not a deployment.
    public static let maximumBatchSize = 4096

    /// Throws `InvalidSetting` naming the property at fault.
    public func validate() throws {
        try checkSetting("opset", opset, in: Self.supportedOpsets)
        if case .fixed(let size) = batch { try checkSetting("batch", size, in: 1...Self.maximumBatchSize) }
    }

    /// The IR version of the ONNX release that introduced `opset` (onnx 1.8 opset 13 ... onnx 1.16
    /// opset 21): the oldest IR a runtime that knows the opset must read.
    var irVersion: Int64 {
        switch opset {
        case ...14: return 7
        case 15...18: return 8
        case 19...20: return 9
        default: return 10
        }
    }
}

/// The first dimension of the graph's input and outputs.
public enum ONNXBatchSize: Equatable, Sendable, CustomStringConvertible {
    /// Any batch size, named "batch" in the file.
    case dynamic
    case fixed(Int)

    /// "dynamic" or a positive number, as `--batch` takes it; nil for anything else.
    public init?(_ text: String) {
        if text == "dynamic" {
            self = .dynamic
        } else if let size = Int(text) {
            self = .fixed(size)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .dynamic: return "dynamic"
        case .fixed(let size): return "\(size)"
        }
    }
}

/// Which of the classifier's results the graph outputs.
public enum ONNXOutputs: String, CaseIterable, Sendable {
    /// `probabilities` (N, classes): softmax of the logits, or for a two-class sigmoid head the
    /// sigmoid of the logit and of its negation.
    case probabilities
    /// `logits` (N, classes): what the softmax is taken of, so the network's logits divided by a
    /// calibrated model's temperature (the metadata's `temperature`; 1 leaves them as they are).
    case logits
    /// `probabilities`, then `logits`.
    case both

    var names: [String] {
        switch self {
        case .probabilities: return [ONNXNames.probabilities]
        case .logits: return [ONNXNames.logits]
        case .both: return [ONNXNames.probabilities, ONNXNames.logits]
        }
    }
}

/// The names a consumer of the file addresses.
public enum ONNXNames {
    public static let input = "input"
    public static let probabilities = "probabilities"
    public static let logits = "logits"
    /// Inside the graph of a calibrated model: the network's logits, before the temperature divides them.
    public static let uncalibratedLogits = "uncalibrated_logits"
    /// The symbolic first dimension of a dynamic batch.
    public static let batch = "batch"
}
