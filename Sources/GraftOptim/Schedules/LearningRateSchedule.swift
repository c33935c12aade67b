/// A learning rate for each optimizer step.
///
/// `step` counts optimizer steps from 0: `learningRate(at: k)` is the rate for the (k+1)-th
/// `step()` call, as a PyTorch scheduler gives it after `k` calls of `scheduler.step()`.
public protocol LearningRateSchedule {
    func learningRate(at step: Int) -> Float
}

/// The same rate throughout.
public struct ConstantLearningRate: LearningRateSchedule {
    public let value: Float

    public init(_ value: Float) {
        self.value = value
    }

    public func learningRate(at step: Int) -> Float { value }
}
