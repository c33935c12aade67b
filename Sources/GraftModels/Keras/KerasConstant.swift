/// A variable of Keras' network that Graft's build holds as a constant rather than as a state
/// tensor (EfficientNet's built-in input normalization, which Graft applies as preprocessing):
/// a Keras file must hold these values, or its network is not the one Graft builds.
public struct KerasConstant: Sendable {
    public let layer: String
    public let role: String
    public let index: Int
    public let values: [Float]
    /// What the values mean, for the error when a file holds others.
    public let meaning: String

    public var kerasKey: String { "\(layer)/\(index)" }

    /// Whether `found` are these values, to float32 rounding of what Keras wrote.
    func matches(_ found: [Float]) -> Bool {
        found.count == values.count && zip(found, values).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }
    }
}

extension KerasBuilt {
    public var kerasConstants: [KerasConstant] { [] }
}
