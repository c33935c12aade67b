import GraftCore

/// What `LearningRateFinder` sweeps: fastai's `lr_find(start_lr, end_lr, num_it)`.
public struct LearningRateRangeTest: Sendable, Equatable {
    /// Which stage's rate to find.
    public enum Stage: String, Sendable, CaseIterable {
        /// The head alone on the frozen backbone, on its cached features: a few seconds.
        case head
        /// The blocks stage 2 unfreezes, after the head has been trained as stage 1 would.
        case fineTune = "fine-tune"
    }

    public var stage: Stage = .head
    public var startLearningRate: Float = 1e-7
    public var endLearningRate: Float = 10
    /// Optimizer steps in the sweep (one batch each); fewer when the loss diverges first. nil:
    /// 200 for the head, whose steps on cached features take under a millisecond; 100 for fine-tuning
    /// (fastai's default), whose steps run the backbone.
    public var steps: Int?
    /// The sweep stops once the smoothed loss exceeds this multiple of its lowest value.
    public var divergenceFactor: Float = 4
    /// The weight of the past in the loss's exponential moving average (fastai's 0.98).
    public var smoothing: Double = 0.98

    public init() {}

    public var resolvedSteps: Int { steps ?? (stage == .head ? 200 : 100) }

    /// Throws `InvalidSetting` naming the first setting out of range.
    public func validate() throws {
        try checkSetting("startLearningRate", startLearningRate, in: .above(0, upTo: 100))
        try checkSetting("endLearningRate", endLearningRate, in: .above(0, upTo: 1000))
        if endLearningRate <= startLearningRate {
            throw InvalidSetting(name: "endLearningRate", value: "\(endLearningRate)",
                                 requirement: "above startLearningRate (\(startLearningRate))")
        }
        if let steps { try checkSetting("steps", steps, in: 10...100_000) }
        try checkSetting("divergenceFactor", divergenceFactor, in: .above(1, upTo: 1e6))
        try checkSetting("smoothing", smoothing, in: .from(0, below: 1))
    }
}
