/// One named tensor read from a checkpoint: its shape and its elements in row-major order.
public struct CheckpointTensor: Sendable, Equatable {
    /// Floating-point data is widened to `Float`; integer data keeps its 64 bits.
    public enum Elements: Sendable, Equatable {
        case float32([Float])
        case int64([Int64])
    }

    public let name: String
    public let shape: [Int]
    /// The element type in the file, before widening.
    public let storedType: ElementType
    public let elements: Elements

    public init(name: String, shape: [Int], storedType: ElementType, elements: Elements) {
        let count = shape.reduce(1, *)
        switch elements {
        case .float32(let values):
            precondition(storedType.isFloatingPoint, "float elements for stored type \(storedType)")
            precondition(values.count == count, "\(values.count) values for shape \(shape)")
        case .int64(let values):
            precondition(storedType == .int64, "integer elements for stored type \(storedType)")
            precondition(values.count == count, "\(values.count) values for shape \(shape)")
        }
        self.name = name
        self.shape = shape
        self.storedType = storedType
        self.elements = elements
    }

    public init(name: String, shape: [Int], values: [Float]) {
        self.init(name: name, shape: shape, storedType: .float32, elements: .float32(values))
    }

    public init(name: String, shape: [Int], integers: [Int64]) {
        self.init(name: name, shape: shape, storedType: .int64, elements: .int64(integers))
    }

    public var elementCount: Int { shape.reduce(1, *) }

    public var isFloatingPoint: Bool { storedType.isFloatingPoint }

    /// The elements as `Float` (integers converted, which is exact below 2^24).
    public var floatValues: [Float] {
        switch elements {
        case .float32(let values): return values
        case .int64(let values): return values.map { Float($0) }
        }
    }
}
