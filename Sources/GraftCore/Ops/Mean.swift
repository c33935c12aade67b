/// The mean of all elements, as a one-element tensor.
public func mean(_ x: Tensor) -> Tensor {
    let src = x.storage
    var sum = 0.0
    // Padding of blocked layouts is zero, so summing the physical buffer is exact.
    for i in 0..<src.floatCount { sum += Double(src.floats[i]) }
    let count = x.count
    let out = Storage(layout: .plain([1]))
    out.floats.pointee = Float(sum / Double(count))
    return record("mean", output: out, shape: [1], inputs: [x]) { dy in
        let g = Storage(layout: .plain(x.shape))
        let value = dy.floats.pointee / Float(count)
        for i in 0..<count { g.floats[i] = value }
        return [g]
    }
}
