/// Drives an optimizer's learning rate from a schedule, one optimizer step at a time.
///
/// Call `step()` after each `optimizer.step()`, as with a PyTorch scheduler. Setting the base
/// rate moves every group by its own scale, so discriminative rates follow the schedule.
public final class LearningRateScheduler {
    public let optimizer: any Optimizer
    public let schedule: any LearningRateSchedule
    /// Optimizer steps taken so far; save it with a checkpoint and pass it back to resume.
    public private(set) var completedSteps: Int

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

    private func apply() { optimizer.learningRate = schedule.learningRate(at: completedSteps) }
}

extension Optimizer {
    /// Sets the learning rate `schedule` gives for step `step` (counted from 0).
    public func applySchedule(_ schedule: some LearningRateSchedule, at step: Int) {
        learningRate = schedule.learningRate(at: step)
    }
}
