import Foundation

/// The learning-rate part of PyTorch's `OneCycleLR` (two phases, cosine annealing): from
/// `maxLearningRate / divFactor` up to `maxLearningRate` over the first `pctStart` of the steps,
/// then down to that start rate divided by `finalDivFactor` at the last step.
///
/// PyTorch also cycles momentum inversely; that is left to the caller.
public struct OneCycle: LearningRateSchedule {
    public let maxLearningRate: Float
    public let totalSteps: Int
    public let pctStart: Double
    public let divFactor: Double
    public let finalDivFactor: Double

    public init(maxLearningRate: Float, totalSteps: Int, pctStart: Double = 0.3, divFactor: Double = 25,
                finalDivFactor: Double = 1e4) {
        precondition(totalSteps > 0, "OneCycle: totalSteps must be positive, not \(totalSteps)")
        precondition(pctStart > 0 && pctStart < 1, "OneCycle: pctStart must lie in (0, 1), not \(pctStart)")
        self.maxLearningRate = maxLearningRate
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
    }

    public var initialLearningRate: Float { Float(Double(maxLearningRate) / divFactor) }
    public var finalLearningRate: Float { Float(Double(maxLearningRate) / divFactor / finalDivFactor) }

    /// Steps past the end keep the final rate (PyTorch raises instead).
    public func learningRate(at step: Int) -> Float {
        let peak = Double(maxLearningRate)
        let initial = peak / divFactor
        let final = initial / finalDivFactor
        // PyTorch's phase boundaries: the peak is reached at step `pctStart * total - 1`.
        let peakStep = pctStart * Double(totalSteps) - 1
        let lastStep = Double(totalSteps - 1)
        let s = Double(min(max(step, 0), totalSteps - 1))
        if s <= peakStep {
            // A warm-up of a single step (peakStep 0) starts at the peak.
            return peakStep > 0 ? Float(cosineAnneal(from: initial, to: peak, fraction: s / peakStep)) : maxLearningRate
        }
        return Float(cosineAnneal(from: peak, to: final, fraction: (s - peakStep) / (lastStep - peakStep)))
    }

    private func cosineAnneal(from start: Double, to end: Double, fraction: Double) -> Double {
        end + (start - end) / 2 * (cos(Double.pi * fraction) + 1)
    }
}
