/// Turns tensor references into tensors: gathers each one's elements through its strides and
/// widens them to `Float` (or keeps `Int64`).
enum TensorMaterializer {
    /// Views of one storage are legitimate (tied weights, a fused qkv split in three), but a
    /// hostile file could point thousands of large views at one storage and make us allocate far
    /// more than it holds. The tensors may claim at most this many times the storage elements.
    static let viewAmplificationLimit = 4

    static func materialize(_ selected: [(name: String, tensor: TensorReference)],
                            storages: [String: StorageBytes], source: String) throws -> [CheckpointTensor] {
        var distinctElements = 0
        var counted = Set<String>()
        for (_, tensor) in selected where counted.insert(tensor.storage.key).inserted {
            distinctElements += storages[tensor.storage.key]?.elementCount ?? 0
        }
        let budget = distinctElements.multipliedReportingOverflow(by: viewAmplificationLimit).partialValue
        var claimed = 0
        var result: [CheckpointTensor] = []
        result.reserveCapacity(selected.count)
        for (name, tensor) in selected {
            guard let storage = storages[tensor.storage.key] else {
                throw CheckpointError.invalidStorage(source: source, key: tensor.storage.key, reason: "tensor '\(name)' uses it, but the file has no data for it")
            }
            let (sum, overflow) = claimed.addingReportingOverflow(tensor.elementCount)
            claimed = sum
            guard !overflow, claimed <= budget else {
                throw CheckpointError.invalidTensor(
                    source: source, name: name,
                    reason: "the tensors up to here claim \(claimed) elements from storages that hold \(distinctElements)")
            }
            result.append(gather(tensor, from: storage, name: name))
        }
        return result
    }

    private static func gather(_ tensor: TensorReference, from storage: StorageBytes, name: String) -> CheckpointTensor {
        storage.buffer.withUnsafeBytes { raw in
            let base = UnsafeRawBufferPointer(rebasing: raw[storage.start...])
            switch storage.type {
            case .float32:
                return floats(tensor, name) { base.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) }
                    transform: { Float(bitPattern: UInt32(littleEndian: $0)) }
            case .float16:
                return floats(tensor, name) { base.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self) }
                    transform: { floatFromHalfBits(UInt16(littleEndian: $0)) }
            case .bfloat16:
                return floats(tensor, name) { base.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self) }
                    transform: { floatFromBFloat16Bits(UInt16(littleEndian: $0)) }
            case .float64:
                return floats(tensor, name) { base.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self) }
                    transform: { Float(Double(bitPattern: UInt64(littleEndian: $0))) }
            case .int64:
                let values = elements(of: tensor) { Int64(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
                return CheckpointTensor(name: name, shape: tensor.shape, storedType: .int64, elements: .int64(values))
            }
        }
    }

    private static func floats<Raw>(_ tensor: TensorReference, _ name: String, load: (Int) -> Raw,
                                    transform: (Raw) -> Float) -> CheckpointTensor {
        let values = elements(of: tensor) { transform(load($0)) }
        return CheckpointTensor(name: name, shape: tensor.shape, storedType: tensor.storage.type, elements: .float32(values))
    }

    /// The tensor's elements in row-major order; `element(i)` reads storage element i.
    static func elements<Element>(of tensor: TensorReference, _ element: (Int) -> Element) -> [Element] {
        let count = tensor.elementCount
        guard count > 0 else { return [] }
        if tensor.isContiguous {
            return (tensor.offset..<(tensor.offset + count)).map(element)
        }
        var result: [Element] = []
        result.reserveCapacity(count)
        // An odometer over the indices, innermost dimension fastest, tracking the storage position.
        let shape = tensor.shape
        let strides = tensor.strides
        var index = [Int](repeating: 0, count: shape.count)
        var position = tensor.offset
        for _ in 0..<count {
            result.append(element(position))
            var dimension = shape.count - 1
            while dimension >= 0 {
                index[dimension] += 1
                position += strides[dimension]
                if index[dimension] < shape[dimension] { break }
                position -= strides[dimension] * shape[dimension]
                index[dimension] = 0
                dimension -= 1
            }
        }
        return result
    }
}
