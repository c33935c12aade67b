/// A tensor as `_rebuild_tensor_v2` describes it: a strided window onto a storage. Built only
/// after checking that every element it names lies inside the storage.
struct TensorReference {
    let storage: StorageReference
    /// Offset of the first element in the whole storage, in elements.
    let offset: Int
    let shape: [Int]
    let strides: [Int]
    let elementCount: Int

    /// Tensors have at most this many dimensions (NumPy's limit), which bounds the work per tensor.
    static let maximumRank = 64

    init(storage: StorageReference, offset: Int, shape: [Int], strides: [Int]) throws {
        guard shape.count == strides.count else {
            throw InvalidPickleData("size \(shape) and stride \(strides) differ in length")
        }
        guard shape.count <= Self.maximumRank else { throw InvalidPickleData("\(shape.count) dimensions") }
        guard offset >= 0, shape.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else {
            throw InvalidPickleData("negative offset, size or stride (offset \(offset), size \(shape), stride \(strides))")
        }
        var count = 1
        var lastElement = offset
        for (size, stride) in zip(shape, strides) {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { throw InvalidPickleData("size \(shape) overflows") }
            count = product
            guard size > 0 else { continue }
            let (reach, reachOverflow) = (size - 1).multipliedReportingOverflow(by: stride)
            let (sum, sumOverflow) = lastElement.addingReportingOverflow(reach)
            guard !reachOverflow, !sumOverflow else { throw InvalidPickleData("stride \(strides) overflows") }
            lastElement = sum
        }
        if count > 0 {
            guard lastElement < storage.viewCount else {
                throw InvalidPickleData("size \(shape), stride \(strides) and offset \(offset) reach element \(lastElement) "
                    + "of storage '\(storage.key)', which has \(storage.viewCount)")
            }
        } else {
            guard offset <= storage.viewCount else {
                throw InvalidPickleData("offset \(offset) is past the end of storage '\(storage.key)' (\(storage.viewCount))")
            }
        }
        self.storage = storage
        self.offset = storage.viewOffset + offset
        self.shape = shape
        self.strides = strides
        elementCount = count
    }

    /// Row-major strides for `shape`, as a contiguous tensor has.
    static func contiguousStrides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for dimension in shape.indices.reversed() {
            strides[dimension] = step
            step = step.multipliedReportingOverflow(by: max(shape[dimension], 1)).partialValue
        }
        return strides
    }

    /// Whether the elements are consecutive in row-major order (dimensions of size 1 may have any stride).
    var isContiguous: Bool {
        var expected = 1
        for (size, stride) in zip(shape, strides).reversed() where size != 1 {
            guard stride == expected else { return false }
            expected *= size
        }
        return true
    }
}
