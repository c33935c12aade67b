/// x (N, in) times weight (out, in) transposed, plus bias (out).
func naiveLinear(_ x: RefTensor, weight: RefTensor, bias: RefTensor?) -> RefTensor {
    let (n, inF, outF) = (x.shape[0], x.shape[1], weight.shape[0])
    var y = RefTensor(shape: [n, outF])
    for i in 0..<n {
        for o in 0..<outF {
            var sum = bias?.data[o] ?? 0
            for k in 0..<inF { sum += x.data[i * inF + k] * weight.data[o * inF + k] }
            y.data[i * outF + o] = sum
        }
    }
    return y
}

/// a (M, K) times b (K, N).
func naiveMatmul(_ a: RefTensor, _ b: RefTensor) -> RefTensor {
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    var y = RefTensor(shape: [m, n])
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += a.data[i * k + p] * b.data[p * n + j] }
            y.data[i * n + j] = sum
        }
    }
    return y
}
