import Foundation

/// PyTorch's CrossEntropyLoss(weight:, label_smoothing:) with mean reduction, in double:
/// per example (1 - e) w[y] (-log p_y) + e / K sum_j w[j] (-log p_j), divided by sum_i w[y_i].
func naiveSoftmaxCrossEntropy(_ logits: RefTensor, labels: [Int], labelSmoothing: Double,
                              classWeights: [Double]?) -> RefTensor {
    let (n, k) = (logits.shape[0], logits.shape[1])
    let w = classWeights ?? [Double](repeating: 1, count: k)
    var total = 0.0, weightSum = 0.0
    for i in 0..<n {
        let row = Array(logits.data[(i * k)..<((i + 1) * k)])
        let top = row.max()!
        let logSum = top + log(row.map { exp($0 - top) }.reduce(0, +))
        let logP = row.map { $0 - logSum }
        let y = labels[i]
        var smooth = 0.0
        for j in 0..<k { smooth -= w[j] * logP[j] }
        total += (1 - labelSmoothing) * w[y] * -logP[y] + labelSmoothing / Double(k) * smooth
        weightSum += w[y]
    }
    return RefTensor(shape: [1], data: [total / weightSum])
}

/// The same with class probabilities as targets: per example -sum_j w[j] t'_j log p_j with
/// t' = (1 - e) t + e / K, divided by N.
func naiveSoftTargetCrossEntropy(_ logits: RefTensor, targets: [Double], labelSmoothing: Double,
                                 classWeights: [Double]?) -> RefTensor {
    let (n, k) = (logits.shape[0], logits.shape[1])
    let w = classWeights ?? [Double](repeating: 1, count: k)
    var total = 0.0
    for i in 0..<n {
        let row = Array(logits.data[(i * k)..<((i + 1) * k)])
        let top = row.max()!
        let logSum = top + log(row.map { exp($0 - top) }.reduce(0, +))
        for j in 0..<k {
            let target = (1 - labelSmoothing) * targets[i * k + j] + labelSmoothing / Double(k)
            total -= w[j] * target * (row[j] - logSum)
        }
    }
    return RefTensor(shape: [1], data: [total / Double(n)])
}

/// PyTorch's BCEWithLogitsLoss with mean reduction, straight from the definition in double:
/// the mean of -[t' log σ(z) + (1 - t') log(1 - σ(z))] with t' = (1 - e) t + e / 2.
func naiveSigmoidCrossEntropy(_ logits: RefTensor, targets: [Double], labelSmoothing: Double) -> RefTensor {
    var total = 0.0
    for (z, target) in zip(logits.data, targets) {
        let t = (1 - labelSmoothing) * target + labelSmoothing / 2
        let p = 1 / (1 + exp(-z))
        total -= t * log(p) + (1 - t) * log(1 - p)
    }
    return RefTensor(shape: [1], data: [total / Double(logits.count)])
}
