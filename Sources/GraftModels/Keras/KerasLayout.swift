import GraftCheckpoint

/// Moving values between Keras' layouts and Graft's, for a tensor of Graft's shape `shape`.
extension KerasVariable.Layout {
    /// The shape Keras stores a tensor of Graft's shape `shape` in.
    public func kerasShape(_ shape: [Int]) -> [Int] {
        switch self {
        case .same: return shape
        case .convolutionKernel: return [shape[2], shape[3], shape[1], shape[0]]
        case .depthwiseKernel: return [shape[2], shape[3], shape[0], shape[1]]
        case .denseKernel, .denseKernelAfterFlatten: return [shape[1], shape[0]]
        }
    }

    /// Keras' values of a tensor rearranged into Graft's layout of `shape`.
    public func graftValues(_ keras: [Float], shape: [Int]) -> [Float] {
        switch self {
        case .same:
            return keras
        // With one input channel per group, (kH, kW, channels, 1) holds its values in the order
        // (kH, kW, 1, channels) would.
        case .convolutionKernel, .depthwiseKernel:
            let (o, i, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
            return Self.gather(count: keras.count, from: keras) { out in
                var n = 0
                for oo in 0..<o { for ii in 0..<i { for y in 0..<kh { for x in 0..<kw {
                    out[n] = ((y * kw + x) * i + ii) * o + oo
                    n += 1
                } } } }
            }
        case .denseKernel:
            return Self.dense(keras, outputs: shape[0], inputs: shape[1]) { $0 }
        case let .denseKernelAfterFlatten(channels, height, width):
            precondition(channels * height * width == shape[1], "a flattened map of \(channels)x\(height)x\(width) for \(shape)")
            return Self.dense(keras, outputs: shape[0], inputs: shape[1]) { column in
                let (c, rest) = column.quotientAndRemainder(dividingBy: height * width)
                return rest * channels + c
            }
        }
    }

    /// Keras' (in, out) kernel read as Graft's (out, in), Graft's input `j` being Keras' row `row(j)`.
    private static func dense(_ keras: [Float], outputs: Int, inputs: Int, row: (Int) -> Int) -> [Float] {
        let rows = (0..<inputs).map(row)
        return [Float](unsafeUninitializedCapacity: outputs * inputs) { buffer, initialized in
            for o in 0..<outputs {
                for j in 0..<inputs { buffer[o * inputs + j] = keras[rows[j] * outputs + o] }
            }
            initialized = outputs * inputs
        }
    }

    /// `keras[source[n]]` for every n, `fill` writing the source indices.
    private static func gather(count: Int, from keras: [Float], fill: (UnsafeMutableBufferPointer<Int>) -> Void) -> [Float] {
        var source = [Int](repeating: 0, count: count)
        source.withUnsafeMutableBufferPointer { fill($0) }
        return source.map { keras[$0] }
    }
}

/// Why a Keras weight file does not fit the network.
public enum KerasWeightsError: Error, CustomStringConvertible {
    case missing(source: String, layer: String, role: String, architecture: String)
    case misshaped(source: String, layer: String, role: String, found: [Int], expected: [Int])
    case unexpectedConstant(source: String, layer: String, role: String, found: [Float], expected: [Float], meaning: String,
                            architecture: String)

    public var description: String {
        switch self {
        case let .missing(source, layer, role, architecture):
            return "\(source): no \(role) for layer \(layer), which Keras' \(architecture) has; is this the weights file of that model?"
        case let .misshaped(source, layer, role, found, expected):
            return "\(source): the \(role) of layer \(layer) has shape \(found), Keras' network needs \(expected)"
        case let .unexpectedConstant(source, layer, role, found, expected, meaning, architecture):
            return "\(source): the \(role) of layer \(layer) is \(found); \(architecture) is built with \(expected) there "
                + "(\(meaning)), so a network whose \(layer) layer was adapted to other data cannot be loaded into it"
        }
    }
}

extension KerasBuilt {
    /// The Keras checkpoint's tensors under Graft's names and in Graft's layouts (`shapes`: Graft's
    /// shape of each state tensor). Variables under `skippingPrefixes` of Graft's names (an
    /// ImageNet classifier a new head replaces) may be absent; every other must be there.
    func graftTensors(from checkpoint: Checkpoint, shapes: [String: [Int]], architecture: String,
                      skippingPrefixes: [String]) throws -> [CheckpointTensor] {
        for constant in kerasConstants {
            guard let tensor = checkpoint[constant.kerasKey] else {
                throw KerasWeightsError.missing(source: checkpoint.source, layer: constant.layer, role: constant.role, architecture: architecture)
            }
            let found = tensor.floatValues
            guard constant.matches(found) else {
                throw KerasWeightsError.unexpectedConstant(source: checkpoint.source, layer: constant.layer, role: constant.role,
                                                           found: found, expected: constant.values, meaning: constant.meaning,
                                                           architecture: architecture)
            }
        }
        return try kerasVariables.compactMap { variable -> CheckpointTensor? in
            let skipped = skippingPrefixes.contains { variable.name.hasPrefix($0) }
            guard let tensor = checkpoint[variable.kerasKey] else {
                if skipped { return nil }
                throw KerasWeightsError.missing(source: checkpoint.source, layer: variable.layer, role: variable.role, architecture: architecture)
            }
            guard let shape = shapes[variable.name] else { return nil }
            let expected = variable.layout.kerasShape(shape)
            guard tensor.shape == expected else {
                if skipped { return nil }
                throw KerasWeightsError.misshaped(source: checkpoint.source, layer: variable.layer, role: variable.role,
                                                  found: tensor.shape, expected: expected)
            }
            let values = tensor.floatValues
            return CheckpointTensor(name: variable.name, shape: shape, values: variable.layout.graftValues(values, shape: shape))
        }
    }
}
