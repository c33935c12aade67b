/// Identifies a tensor within one trace: ids count from 0 in the order the trace first met them.
public struct TraceValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    public static func < (a: TraceValueID, b: TraceValueID) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "%\(rawValue)" }
}

/// A tensor an op of a trace read or wrote.
public struct TraceValue: Sendable {
    public enum Role: Sendable, Equatable {
        /// One of the tensors the capture was given as inputs.
        case input
        /// The result of a traced op.
        case intermediate
        /// Anything else an op read: weights, biases, BatchNorm statistics, folded weights, tensors
        /// a model builds on the fly (the zero column of `TwoClassLogits`). Its values are kept.
        case constant
    }

    public let id: TraceValueID
    public let shape: [Int]
    public let role: Role
    /// A constant's elements in row-major order, as they were when the op read them; nil otherwise.
    public let values: [Float]?
    /// The parameter or buffer key of a constant, when the capture was given names
    /// ("features.0.0.weight").
    public let name: String?
    /// How a constant was computed from named tensors when it is not one itself: a convolution's
    /// weight or bias with a BatchNorm folded in.
    public let folding: BatchNormFolding?
}

/// A convolution's weight or bias with the BatchNorm after it folded in, for inference:
/// w' = w * s and b' = (b - mean) * s + shift per output channel, s = scale / sqrt(variance + epsilon).
public struct BatchNormFolding: Sendable, Equatable {
    public enum Part: Sendable, Equatable { case weight, bias }

    public let part: Part
    public let epsilon: Float
    /// The keys of the tensors folded together; nil where the tensor is absent (a convolution
    /// without bias) or the capture was given no name for it.
    public let convolutionWeight: String?
    public let convolutionBias: String?
    public let scale: String?
    public let shift: String?
    public let runningMean: String?
    public let runningVariance: String?
}
