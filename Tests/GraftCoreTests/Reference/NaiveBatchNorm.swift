/// Per-channel mean and biased variance of (N, C) or (N, C, H, W) data.
func naiveBatchStatistics(_ x: RefTensor) -> (mean: [Double], variance: [Double]) {
    let (n, c) = (x.shape[0], x.shape[1])
    let spatial = x.count / (n * c)
    let m = Double(n * spatial)
    var mean = [Double](repeating: 0, count: c), variance = [Double](repeating: 0, count: c)
    for ch in 0..<c {
        var sum = 0.0
        for b in 0..<n { for s in 0..<spatial { sum += x.data[(b * c + ch) * spatial + s] } }
        mean[ch] = sum / m
        var sq = 0.0
        for b in 0..<n { for s in 0..<spatial { let d = x.data[(b * c + ch) * spatial + s] - mean[ch]; sq += d * d } }
        variance[ch] = sq / m
    }
    return (mean, variance)
}

/// (x - mean) / sqrt(variance + epsilon) * scale + shift, per channel.
func naiveBatchNorm(_ x: RefTensor, scale: RefTensor?, shift: RefTensor?, mean: [Double], variance: [Double],
                    epsilon: Double) -> RefTensor {
    let (n, c) = (x.shape[0], x.shape[1])
    let spatial = x.count / (n * c)
    var y = x
    for ch in 0..<c {
        let inv = 1 / (variance[ch] + epsilon).squareRoot()
        let g = scale?.data[ch] ?? 1, s = shift?.data[ch] ?? 0
        for b in 0..<n {
            for i in 0..<spatial {
                let k = (b * c + ch) * spatial + i
                y.data[k] = (x.data[k] - mean[ch]) * inv * g + s
            }
        }
    }
    return y
}

/// Batch norm in training mode: normalized with the batch's own statistics.
func naiveBatchNormTraining(_ x: RefTensor, scale: RefTensor?, shift: RefTensor?, epsilon: Double) -> RefTensor {
    let stats = naiveBatchStatistics(x)
    return naiveBatchNorm(x, scale: scale, shift: shift, mean: stats.mean, variance: stats.variance, epsilon: epsilon)
}
