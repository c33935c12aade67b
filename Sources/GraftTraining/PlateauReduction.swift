import Foundation

/// Keras' `ReduceLROnPlateau`: after `patience` epochs of a stage without an improvement of the
/// monitored value by more than `minDelta`, the learning rate is multiplied by `factor` (not
/// below `minimumLearningRate`), then `cooldown` epochs pass before counting starts again.
///
/// It keeps no state of its own: the rate's scale is worked out from the stage's history, so a
/// resumed run reduces where the uninterrupted one did. Each stage starts at its own rate.
public struct PlateauReduction: Equatable, Sendable {
    public var factor: Double
    public var patience: Int
    public var minDelta: Double
    public var cooldown: Int
    public var minimumLearningRate: Float

    /// Keras' defaults but for the patience, which it sets to 10 (more than a short stage has).
    public init(factor: Double = 0.1, patience: Int = 2, minDelta: Double = 1e-4, cooldown: Int = 0,
                minimumLearningRate: Float = 0) {
        self.factor = factor
        self.patience = patience
        self.minDelta = minDelta
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
    }

    /// The factor on the schedule's rate for the epoch after those whose monitored `scores`
    /// (lower is better, `Monitor.score`) are given, in order: Keras' `on_epoch_end` replayed.
    public func scale(afterScores scores: [Double]) -> Double {
        var best = Double.infinity, wait = 0, cooldownLeft = 0, scale = 1.0
        for score in scores {
            if cooldownLeft > 0 {
                cooldownLeft -= 1
                wait = 0
            }
            if score < best - minDelta {
                best = score
                wait = 0
            } else if cooldownLeft == 0 {
                wait += 1
                if wait >= patience {
                    scale *= factor
                    cooldownLeft = cooldown
                    wait = 0
                }
            }
        }
        return scale
    }
}
