import GraftOptim

/// How the learning rate moves within each stage.
public enum StageSchedule: String, CaseIterable, Sendable {
    /// The stage's rate throughout, no warm-up: the Keras tutorials' recipe.
    case constant
    /// A linear warm-up over `TrainingOptions.warmupFraction` of the stage's steps, then a cosine
    /// decay to `TrainingOptions.minLearningRateFraction` of the stage's rate at its last step
    /// (the default).
    case cosine
    /// fastai's `fit_one_cycle` within each stage: a cosine rise from the stage's rate / 25 to the
    /// rate over the first quarter of the steps, then a cosine fall to the rate / 25 / 100 000.
    case oneCycle = "one-cycle"
    /// The rate multiplied by `TrainingOptions.stepDecayFactor` every `stepDecayEpochs` epochs
    /// (PyTorch's `StepLR`, counted in epochs).
    case step
}

extension TrainingOptions {
    /// The schedule of a stage of `totalSteps` optimizer steps at `learningRate`.
    /// `stepsPerEpoch` places a `.step` schedule's decays at epoch boundaries.
    public func learningRateSchedule(learningRate: Float, totalSteps: Int, stepsPerEpoch: Int = 1) -> any LearningRateSchedule {
        switch schedule {
        case .oneCycle:
            return OneCycle(maxLearningRate: learningRate, totalSteps: max(1, totalSteps), pctStart: 0.25, divFactor: 25, finalDivFactor: 1e5)
        case .step:
            let perEpoch = max(1, stepsPerEpoch)
            let epochs = max(1, totalSteps / perEpoch)
            let every = stepDecayEpochs ?? max(1, epochs / 3)
            return StepDecay(baseLearningRate: learningRate, stepSize: every * perEpoch, gamma: Float(stepDecayFactor))
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
