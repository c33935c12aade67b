/// What the check knows of one value of the graph: its element type and shape, and for the small
/// int64 vectors that shape ops compute (Shape, Slice, Concat), their elements.
struct CheckedValue: Equatable {
    enum Element: Equatable { case float32, int64 }

    var element: Element
    var shape: Shape
    /// The elements of a 1-D int64 value when known (a constant, or computed from shapes).
    var elements: [Dimension]?

    static func float32(_ shape: Shape) -> CheckedValue { CheckedValue(element: .float32, shape: shape, elements: nil) }

    var rank: Int { shape.count }
}

/// Broadcasting as ONNX's Add and Mul do it (NumPy's rules): shapes aligned at the right, each
/// pair of dimensions equal or one of them 1.
func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
    let rank = max(a.count, b.count)
    let pa = Shape(repeating: .fixed(1), count: rank - a.count) + a
    let pb = Shape(repeating: .fixed(1), count: rank - b.count) + b
    var result: Shape = []
    for (x, y) in zip(pa, pb) {
        if x == y || y == .fixed(1) {
            result.append(x)
        } else if x == .fixed(1) {
            result.append(y)
        } else {
            return nil
        }
    }
    return result
}
