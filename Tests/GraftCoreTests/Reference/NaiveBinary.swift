/// `a (op) b` with `b` broadcast along its size-1 dimensions; the result has `a`'s shape.
func naiveBroadcast(_ a: RefTensor, _ b: RefTensor, _ op: (Double, Double) -> Double) -> RefTensor {
    precondition(a.shape.count == b.shape.count)
    let aStrides = a.strides, bStrides = b.strides
    var y = a
    for i in 0..<a.count {
        var rest = i, j = 0
        for d in 0..<a.shape.count {
            let coordinate = rest / aStrides[d]
            rest %= aStrides[d]
            if b.shape[d] != 1 { j += coordinate * bStrides[d] }
        }
        y.data[i] = op(a.data[i], b.data[j])
    }
    return y
}
