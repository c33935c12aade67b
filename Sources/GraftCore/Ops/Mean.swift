/// The mean of all elements, as a one-element tensor.
public func mean(_ x: Tensor) -> Tensor {
    let src = x.storage
    // Padding of blocked layouts is zero, so summing the physical buffer is exact.
    let sum = blockedSum(src.floats, count: src.floatCount)
    let count = x.count
    let out = Storage(layout: .plain([1]))
    out.floats.pointee = Float(sum / Double(count))
    let shape = x.shape
    let result = record("mean", output: out, shape: [1], inputs: [x]) { dy in
        let g = Storage(layout: .plain(shape))
        let value = dy.floats.pointee / Float(count)
        for i in 0..<count { g.floats[i] = value }
        return [g]
    }
    return traced(result, inputs: [x]) { _ in .mean }
}

/// Sum of `count` floats: eight float lanes over short runs (vectorizes), runs added in double,
/// so the result is accurate and fast for tens of millions of elements.
func blockedSum(_ p: UnsafePointer<Float>, count: Int) -> Double {
    let run = 4096
    var total = 0.0
    var start = 0
    while start < count {
        let end = min(start + run, count)
        var lanes = SIMD8<Float>()
        var i = start
        while i + 8 <= end {
            lanes += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
            i += 8
        }
        var partial = Double(lanes.sum())
        while i < end { partial += Double(p[i]); i += 1 }
        total += partial
        start = end
    }
    return total
}
