/// For one axis of a resize: which source pixels feed each output pixel, and with what weights.
/// The window maps the interval [start, end) of source coordinates onto the output, so a crop and
/// a resize happen in one pass.
struct ResampleCoefficients {
    /// First contributing source index for each output index.
    let first: [Int]
    /// Number of contributing source pixels for each output index.
    let count: [Int]
    /// `stride` weights per output index (the first `count` are used), summing to 1.
    let weights: [Float]
    let stride: Int

    init(sourceLength: Int, outputLength: Int, start: Double, end: Double, filter: ResampleFilter) {
        let scale = (end - start) / Double(outputLength)
        // Stretching the kernel when shrinking is what makes the resize antialiased.
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        let stride = Int(support.rounded(.up)) * 2 + 1
        var first = [Int](repeating: 0, count: outputLength)
        var count = [Int](repeating: 0, count: outputLength)
        var weights = [Float](repeating: 0, count: outputLength * stride)
        var scratch = [Double](repeating: 0, count: stride)
        for i in 0..<outputLength {
            let center = start + (Double(i) + 0.5) * scale
            let lo = max(Int(center - support + 0.5), 0)
            let hi = min(Int(center + support + 0.5), sourceLength)
            var n = max(hi - lo, 0)
            n = min(n, stride)
            var total = 0.0
            for k in 0..<n {
                let w = filter.weight((Double(k + lo) - center + 0.5) / filterScale)
                scratch[k] = w
                total += w
            }
            if n == 0 || total == 0 {
                // A window entirely outside the image (an extreme crop box): repeat the edge.
                let edge = min(max(Int(center), 0), sourceLength - 1)
                first[i] = edge; count[i] = 1; weights[i * stride] = 1
                continue
            }
            first[i] = lo
            count[i] = n
            for k in 0..<n { weights[i * stride + k] = Float(scratch[k] / total) }
        }
        self.first = first
        self.count = count
        self.weights = weights
        self.stride = stride
    }

    /// Whether this maps source pixels one to one (same length, whole-pixel offset), so the pass
    /// can be skipped.
    static func isIdentity(sourceLength: Int, outputLength: Int, start: Double, end: Double) -> Bool {
        end - start == Double(outputLength) && start == start.rounded() && start >= 0
            && Int(start) + outputLength <= sourceLength
    }
}
