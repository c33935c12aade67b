import GraftOptim

/// How the learning rate moves within each stage.
public enum StageSchedule: String, CaseIterable, Sendable {
    /// The stage's rate throughout, no warm-up: the Keras tutorials' recipe.
    case constant
    /// A linear warm-up over `TrainingOptions.warmupFraction` of the stage's steps, then a cosine
    /// decay to `TrainingOptions.minLearningRateFraction` of the stage's rate at its last step
    /// (the default).
    case cosine
}

extension TrainingOptions {
    /// The schedule of a stage of `totalSteps` optimizer steps at `learningRate`.
    public func learningRateSchedule(learningRate: Float, totalSteps: Int) -> any LearningRateSchedule {
        switch schedule {
        case .constant:
            return ConstantLearningRate(learningRate)
        case .cosine:
            let steps = max(1, totalSteps)
            let warmup = min(steps, max(0, Int(warmupFraction * Double(steps))))
            return WarmupCosine(baseLearningRate: learningRate, totalSteps: steps, warmupSteps: warmup,
                                minLearningRate: learningRate * Float(min(max(minLearningRateFraction, 0), 1)),
                                warmupStartFactor: 0.1)
        }
    }
}
