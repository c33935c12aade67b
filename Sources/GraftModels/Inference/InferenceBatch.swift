/// A batch of model inputs as plain values: (N, C, H, W) in row-major order, already normalized
/// the way the model expects. Sendable, so any thread can hand one to an `InferenceExecutor`.
public struct InferenceBatch: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    public var count: Int { shape.first ?? 0 }
}

/// What a model computed for a batch: (N, outputs) logits in row-major order.
public struct InferenceOutput: Sendable, Equatable {
    public let shape: [Int]
    public let values: [Float]

    public init(shape: [Int], values: [Float]) {
        self.shape = shape
        self.values = values
    }

    /// The outputs of example `index`.
    public func row(_ index: Int) -> ArraySlice<Float> {
        let width = values.count / max(shape.first ?? 1, 1)
        return values[index * width ..< (index + 1) * width]
    }
}
