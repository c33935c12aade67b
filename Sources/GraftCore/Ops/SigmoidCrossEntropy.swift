import Foundation

/// Binary cross-entropy of one sigmoid per class, for multi-label classification: PyTorch's
/// `BCEWithLogitsLoss()` and Keras' `binary_crossentropy(from_logits=True)`, the mean over the
/// batch and the classes of -[t log σ(z) + (1 - t) log(1 - σ(z))].
///
/// `targets` (N, K) are 0 or 1 for each class (multi-hot), or in between where MixUp or CutMix
/// blended two images' labels. Label smoothing pulls each target towards 1/2, as Keras'
/// `label_smoothing` does: t' = (1 - ε) t + ε / 2.
public func sigmoidCrossEntropy(_ logits: Tensor, targets: Tensor, labelSmoothing: Float = 0) -> Tensor {
    precondition(logits.shape.count == 2, "sigmoidCrossEntropy logits must be (N, classes), not \(logits.shape)")
    precondition(targets.shape == logits.shape, "targets \(targets.shape) do not match logits \(logits.shape)")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "label smoothing \(labelSmoothing) is outside [0, 1]")
    let count = logits.shape[0] * logits.shape[1]
    let eps = Double(labelSmoothing)
    let t = targets.values.map { (1 - eps) * Double($0) + eps / 2 }
    let z = logits.values.map(Double.init)
    var total = 0.0
    // -[t log σ(z) + (1 - t) log(1 - σ(z))] = max(z, 0) - t z + log(1 + exp(-|z|)): finite for any z.
    for i in 0..<count { total += max(z[i], 0) - t[i] * z[i] + Foundation.log1p(Foundation.exp(-abs(z[i]))) }
    let out = Storage(layout: .plain([1]))
    out.floats.pointee = Float(total / Double(max(1, count)))

    return record("sigmoidCrossEntropy", output: out, shape: [1], inputs: [logits]) { dy in
        // d loss / d z_i = (σ(z_i) - t_i) / count.
        let scale = Double(dy.floats.pointee) / Double(max(1, count))
        let g = Storage(layout: .plain(logits.shape))
        for i in 0..<count { g.floats[i] = Float(scale * (logistic(z[i]) - t[i])) }
        return [g]
    }
}

/// σ(z) = 1 / (1 + exp(-z)) in double precision, without overflow for large |z|.
public func logistic(_ z: Double) -> Double {
    z >= 0 ? 1 / (1 + Foundation.exp(-z)) : Foundation.exp(z) / (1 + Foundation.exp(z))
}
