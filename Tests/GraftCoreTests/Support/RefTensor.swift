/// A double-precision tensor for the naive reference implementations: a shape and row-major data.
struct RefTensor {
    var shape: [Int]
    var data: [Double]

    init(shape: [Int], data: [Double]) {
        precondition(shape.reduce(1, *) == data.count, "\(data.count) values for shape \(shape)")
        self.shape = shape
        self.data = data
    }

    init(shape: [Int], repeating value: Double = 0) {
        self.init(shape: shape, data: [Double](repeating: value, count: shape.reduce(1, *)))
    }

    init(shape: [Int], floats: [Float]) {
        self.init(shape: shape, data: floats.map(Double.init))
    }

    var count: Int { data.count }

    /// Row-major strides of `shape`.
    var strides: [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * shape[d + 1] }
        return s
    }

    /// Flat offset of an (n, c, h, w) element of a 4-D tensor.
    @inline(__always)
    func offset(_ n: Int, _ c: Int, _ h: Int, _ w: Int) -> Int {
        ((n * shape[1] + c) * shape[2] + h) * shape[3] + w
    }

    /// The same data under another shape with the same element count.
    func reshaped(_ newShape: [Int]) -> RefTensor { RefTensor(shape: newShape, data: data) }

    func map(_ f: (Double) -> Double) -> RefTensor { RefTensor(shape: shape, data: data.map(f)) }
}
