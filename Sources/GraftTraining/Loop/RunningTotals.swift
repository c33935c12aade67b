/// Loss and accuracy summed over an epoch's batches. Sums, not means, so that the totals of
/// several workers add up to the totals of their union (see `GradientSynchronizer.reduce`).
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
