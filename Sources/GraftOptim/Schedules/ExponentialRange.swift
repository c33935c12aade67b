import Foundation

/// A rate that grows by the same factor every step, from `start` at step 0 to `end` at step
/// `steps - 1`: the sweep of a learning-rate range test (Smith 2015; fastai's `lr_find`).
public struct ExponentialRange: LearningRateSchedule {
    public let start: Float
    public let end: Float
    public let steps: Int

    public init(from start: Float, to end: Float, steps: Int) {
        precondition(start > 0 && end > start && steps >= 2, "a range test sweeps upwards from a positive rate over 2 or more steps")
        self.start = start
        self.end = end
        self.steps = steps
    }

    public func learningRate(at step: Int) -> Float {
        // In double precision: over 8 decades, Float's powers drift from the ends.
        let fraction = Double(min(max(step, 0), steps - 1)) / Double(steps - 1)
        return Float(Double(start) * pow(Double(end) / Double(start), fraction))
    }
}
