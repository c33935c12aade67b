/// The formula "graft-keras-parity-v1" of make_keras_parity_fixtures.py: ParityWeights' hash of
/// the key "LAYER/ROLE" in Keras' names, in Keras' shapes, scaled by the variable's role.
enum KerasParityWeights {
    static let formula = "graft-keras-parity-v1"

    static func values(layer: String, role: String, shape: [Int]) -> [Float] {
        let count = shape.reduce(1, *)
        let (scale, offset): (Double, Double)
        switch role {
        case "kernel": (scale, offset) = ((6 / (Double(count) / Double(shape[shape.count - 1]))).squareRoot(), 0)
        case "depthwise_kernel": (scale, offset) = ((6 / Double(shape[0] * shape[1])).squareRoot(), 0)
        case "bias", "beta", "moving_mean": (scale, offset) = (0.1, 0)
        case "moving_variance": (scale, offset) = (0.25, 1.25)
        default: (scale, offset) = (0.2, 1)
        }
        let h = ParityWeights.nameHash("\(layer)/\(role)")
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Float(offset + scale * ParityWeights.uniform(i, keyHash: h)) }
            initialized = count
        }
    }
}
