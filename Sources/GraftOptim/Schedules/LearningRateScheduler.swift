/// Drives an optimizer's learning rate from a schedule, one optimizer step at a time.
///
/// Call `step()` after each `optimizer.step()`, as with a PyTorch scheduler. Setting the base
/// rate moves every group by its own scale, so discriminative rates follow the schedule.
public final class LearningRateScheduler {
    public let optimizer: any Optimizer
    public let schedule: any LearningRateSchedule
    /// Optimizer steps taken so far; save it with a checkpoint and pass it back to resume.
    public private(set) var completedSteps: Int
    /// A factor on the schedule's rate (reduce-on-plateau's), applied from the next step on.
    public private(set) var scale: Float = 1
    /// The lowest rate a scale below 1 may lead to.
    public private(set) var floor: Float = 0

    /// Sets the rate for the next optimizer step right away.
    public init(optimizer: any Optimizer, schedule: any LearningRateSchedule, completedSteps: Int = 0) {
        self.optimizer = optimizer
        self.schedule = schedule
        self.completedSteps = completedSteps
        apply()
    }

    /// Moves on to the rate for the next optimizer step.
    public func step() {
        completedSteps += 1
        apply()
    }

    /// Multiplies the schedule's rates by `scale`, not going below `floor`, from the next step on.
    public func setScale(_ scale: Float, floor: Float = 0) {
        self.scale = scale
        self.floor = floor
        apply()
    }

    /// The rate of step `step`: the schedule's, scaled.
    public func learningRate(at step: Int) -> Float {
        let rate = schedule.learningRate(at: step)
        // Without a reduction the schedule's rate goes through untouched, bit for bit.
        return scale == 1 ? rate : max(rate * scale, floor)
    }

    private func apply() { optimizer.learningRate = learningRate(at: completedSteps) }
}

extension Optimizer {
    /// Sets the learning rate `schedule` gives for step `step` (counted from 0).
    public func applySchedule(_ schedule: some LearningRateSchedule, at step: Int) {
        learningRate = schedule.learningRate(at: step)
    }
}
