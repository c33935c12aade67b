import Foundation

/// The base rate multiplied by `gamma` every `stepSize` steps (PyTorch's `StepLR`).
public struct StepDecay: LearningRateSchedule {
    public let baseLearningRate: Float
    public let stepSize: Int
    public let gamma: Float

    public init(baseLearningRate: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepDecay: stepSize must be positive, not \(stepSize)")
        self.baseLearningRate = baseLearningRate
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Float {
        let decays = max(step, 0) / stepSize
        return Float(Double(baseLearningRate) * pow(Double(gamma), Double(decays)))
    }
}
