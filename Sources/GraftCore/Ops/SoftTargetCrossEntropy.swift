import Foundation

/// Softmax cross-entropy between `logits` (N, K) and soft `targets` (N, K; each row a
/// distribution, as MixUp and CutMix make), averaged over the batch: PyTorch's
/// `CrossEntropyLoss(weight:, label_smoothing:)` given class probabilities.
///
/// Per example, -sum_j w_j t'_j log p_j with t' = (1 - ε) t + ε / K; the mean divides by N (with
/// probabilities there is no single true class whose weight could normalize it).
public func softmaxCrossEntropy(_ logits: Tensor, targets: Tensor, labelSmoothing: Float = 0,
                                classWeights: [Float]? = nil) -> Tensor {
    precondition(logits.shape.count == 2, "softmaxCrossEntropy logits must be (N, classes), not \(logits.shape)")
    precondition(targets.shape == logits.shape, "targets \(targets.shape) do not match logits \(logits.shape)")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label smoothing \(labelSmoothing) is outside [0, 1]")
    let (n, k) = (logits.shape[0], logits.shape[1])
    if let classWeights { precondition(classWeights.count == k, "\(classWeights.count) class weights for \(k) classes") }
    let w = classWeights.map { $0.map(Double.init) } ?? [Double](repeating: 1, count: k)
    let eps = Double(labelSmoothing)
    let t = targets.values.map { (1 - eps) * Double($0) + eps / Double(k) }

    let logProbs = logSoftmaxRows(logits)
    var total = 0.0
    for i in 0..<(n * k) { total -= w[i % k] * t[i] * logProbs[i] }
    let out = Storage(layout: .plain([1]))
    out.floats.pointee = Float(total / Double(n))

    return record("softmaxCrossEntropy", output: out, shape: [1], inputs: [logits]) { dy in
        // d loss_i / d z_ij = p_ij * (sum_c w_c t'_ic) - w_j t'_ij.
        let scale = Double(dy.floats.pointee) / Double(n)
        let g = Storage(layout: .plain([n, k]))
        for i in 0..<n {
            var mass = 0.0
            for j in 0..<k { mass += w[j] * t[i * k + j] }
            for j in 0..<k {
                g.floats[i * k + j] = Float(scale * (Foundation.exp(logProbs[i * k + j]) * mass - w[j] * t[i * k + j]))
            }
        }
        return [g]
    }
}
