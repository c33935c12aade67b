import Foundation

/// A linear warm-up from `warmupStartFactor * base` to `base` over `warmupSteps`, then a cosine
/// decay to `minLearningRate` at `totalSteps`, where it stays.
///
/// Warm-up keeps the first large, noisy gradients of a freshly attached head from wrecking
/// pretrained weights; the cosine tail lets the model settle.
public struct WarmupCosine: LearningRateSchedule {
    public let baseLearningRate: Float
    public let minLearningRate: Float
    public let warmupSteps: Int
    public let totalSteps: Int
    /// The fraction of the base rate at step 0. 0 makes the first step a no-op for SGD.
    public let warmupStartFactor: Float

    public init(baseLearningRate: Float, totalSteps: Int, warmupSteps: Int = 0, minLearningRate: Float = 0,
                warmupStartFactor: Float = 0) {
        precondition(warmupSteps >= 0 && totalSteps >= warmupSteps,
                     "WarmupCosine: need 0 <= warmupSteps (\(warmupSteps)) <= totalSteps (\(totalSteps))")
        self.baseLearningRate = baseLearningRate
        self.minLearningRate = minLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.warmupStartFactor = warmupStartFactor
    }

    public func learningRate(at step: Int) -> Float {
        let base = Double(baseLearningRate), floor = Double(minLearningRate)
        if step < warmupSteps {
            let start = Double(warmupStartFactor)
            let fraction = Double(max(step, 0)) / Double(warmupSteps)
            return Float(base * (start + (1 - start) * fraction))
        }
        guard totalSteps > warmupSteps else { return minLearningRate }
        let progress = min(Double(step - warmupSteps) / Double(totalSteps - warmupSteps), 1)
        return Float(floor + (base - floor) * 0.5 * (1 + cos(Double.pi * progress)))
    }
}
