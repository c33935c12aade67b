/// Loss and accuracy summed over an epoch's batches. Sums, not means, so that the totals of
/// several workers add up to the totals of their union (see `WorkerGroup.reduce`).
public struct RunningTotals: Equatable, Sendable {
    public var count = 0
    public var lossSum = 0.0
    public var correct = 0

    public init(count: Int = 0, lossSum: Double = 0, correct: Int = 0) {
        self.count = count
        self.lossSum = lossSum
        self.correct = correct
    }

    /// Adds a batch: its mean loss and its logits (row-major, labels.count x classes).
    public mutating func add(loss: Float, logits: [Float], labels: [Int]) {
        let k = logits.count / max(1, labels.count)
        for (i, label) in labels.enumerated() {
            let row = logits[(i * k)..<((i + 1) * k)]
            if row.indices.max(by: { row[$0] < row[$1] }) == i * k + label { correct += 1 }
        }
        lossSum += Double(loss) * Double(labels.count)
        count += labels.count
    }

    /// Adds a multi-label batch: its mean loss, its logits and its targets (both row-major,
    /// images x `classes`); an image counts as correct when the classes at or above `threshold`
    /// are exactly those whose target is at least 1/2 (the exact match that scikit-learn calls
    /// subset accuracy).
    public mutating func add(loss: Float, logits: [Float], targets: [Float], classes k: Int, threshold: Float) {
        precondition(k > 0 && logits.count == targets.count && logits.count % k == 0, "\(logits.count) logits, \(targets.count) targets, \(k) classes")
        let images = logits.count / k
        for i in 0..<images where (0..<k).allSatisfy({
            isPredicted(logit: logits[i * k + $0], threshold: Double(threshold)) == (targets[i * k + $0] >= 0.5)
        }) {
            correct += 1
        }
        lossSum += Double(loss) * Double(images)
        count += images
    }

    /// The totals of both, as if one worker had seen both sets of batches.
    public func merged(with other: RunningTotals) -> RunningTotals {
        RunningTotals(count: count + other.count, lossSum: lossSum + other.lossSum, correct: correct + other.correct)
    }

    /// The three sums as numbers, the shape an allreduce moves; `init(summed:)` reads it back.
    public var summed: [Double] { [Double(count), lossSum, Double(correct)] }

    public init(summed: [Double]) {
        precondition(summed.count == 3, "running totals are three sums, not \(summed.count)")
        self.init(count: Int(summed[0]), lossSum: summed[1], correct: Int(summed[2]))
    }

    public var meanLoss: Double { lossSum / Double(max(1, count)) }
    public var accuracy: Double { Double(correct) / Double(max(1, count)) }
}
