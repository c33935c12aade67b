/// One dimension of a tensor in the exported graph: a number, or the batch size (symbolic in a
/// file with a dynamic batch, the fixed size otherwise).
enum Dimension: Equatable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case batch

    var value: Int? {
        if case .fixed(let n) = self { return n }
        return nil
    }

    var description: String {
        switch self {
        case .fixed(let n): return "\(n)"
        case .batch: return ONNXNames.batch
        }
    }
}

typealias Shape = [Dimension]

extension Array where Element == Dimension {
    init(fixed dims: [Int]) { self = dims.map(Dimension.fixed) }

    /// "(batch, 3, 224, 224)".
    var text: String { "(" + map(\.description).joined(separator: ", ") + ")" }

    /// The product when every dimension is a number.
    var fixedCount: Int? {
        var product = 1
        for d in self {
            guard let n = d.value else { return nil }
            product *= n
        }
        return product
    }
}
