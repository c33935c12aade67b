import Foundation

/// Softmax cross-entropy between `logits` (N, K) and integer `labels`, averaged over the batch.
///
/// - `labelSmoothing` ε mixes the one-hot target with the uniform distribution: target =
///   (1 - ε) one-hot + ε / K.
/// - `classWeights` (K values) weight each example by its true class's weight, and the mean
///   divides by the sum of those weights (PyTorch's `CrossEntropyLoss(weight:label_smoothing:)`).
public func softmaxCrossEntropy(_ logits: Tensor, labels: [Int], labelSmoothing: Float = 0,
                                classWeights: [Float]? = nil) -> Tensor {
    precondition(logits.shape.count == 2, "softmaxCrossEntropy logits must be (N, classes), not \(logits.shape)")
    let (n, k) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == n, "\(labels.count) labels for a batch of \(n)")
    for l in labels { precondition(l >= 0 && l < k, "label \(l) is outside 0..<\(k)") }
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label smoothing \(labelSmoothing) is outside [0, 1]")
    if let classWeights { precondition(classWeights.count == k, "\(classWeights.count) class weights for \(k) classes") }
    let w = classWeights.map { $0.map(Double.init) } ?? [Double](repeating: 1, count: k)
    let eps = Double(labelSmoothing)

    let logProbs = logSoftmaxRows(logits)
    var total = 0.0, weightSum = 0.0
    for i in 0..<n {
        var smooth = 0.0
        for j in 0..<k { smooth -= w[j] * logProbs[i * k + j] }
        let y = labels[i]
        total += (1 - eps) * w[y] * -logProbs[i * k + y] + eps / Double(k) * smooth
        weightSum += w[y]
    }
    let out = Storage(layout: .plain([1]))
    out.floats.pointee = Float(total / weightSum)

    return record("softmaxCrossEntropy", output: out, shape: [1], inputs: [logits]) { dy in
        // d loss_i / d z_ij = p_ij * (sum_c t_ic) - t_ij, with t the weighted smoothed target.
        let scale = Double(dy.floats.pointee) / weightSum
        let g = Storage(layout: .plain([n, k]))
        let sumW = w.reduce(0, +)
        for i in 0..<n {
            let y = labels[i]
            let targetMass = (1 - eps) * w[y] + eps / Double(k) * sumW
            for j in 0..<k {
                let p = Foundation.exp(logProbs[i * k + j])
                var t = eps / Double(k) * w[j]
                if j == y { t += (1 - eps) * w[y] }
                g.floats[i * k + j] = Float(scale * (p * targetMass - t))
            }
        }
        return [g]
    }
}

/// log softmax of each row of `logits` (N, K), in double, row-major: the max-shifted form, so large
/// logits do not overflow.
func logSoftmaxRows(_ logits: Tensor) -> [Double] {
    let (n, k) = (logits.shape[0], logits.shape[1])
    let z = logits.storage.reordered(to: .plain([n, k]))
    var logProbs = [Double](repeating: 0, count: n * k)
    for i in 0..<n {
        let row = z.floats + i * k
        var maxZ = -Double.infinity
        for j in 0..<k { maxZ = max(maxZ, Double(row[j])) }
        var sumExp = 0.0
        for j in 0..<k { sumExp += Foundation.exp(Double(row[j]) - maxZ) }
        let logSum = maxZ + Foundation.log(sumExp)
        for j in 0..<k { logProbs[i * k + j] = Double(row[j]) - logSum }
    }
    return logProbs
}
