import Foundation
import GraftCore

extension TrainingOptions {
    /// Upper bounds no real run comes near; past them a value is a typo that would fail late.
    public static let maximumBatchSize = 4096
    public static let maximumEpochs = 100_000

    /// Throws `InvalidSetting` naming the first setting out of range: every count within
    /// bounds, every rate and fraction finite and in its interval, and something to train.
    /// `Trainer` calls it before it starts; a command line calls it before any work.
    public func validate() throws {
        try checkSetting("batchSize", batchSize, in: 1...Self.maximumBatchSize)
        try checkSetting("headEpochs", headEpochs, in: 0...Self.maximumEpochs)
        try checkSetting("fineTuneEpochs", fineTuneEpochs, in: 0...Self.maximumEpochs)
        if headEpochs == 0 && fineTuneEpochs == 0 {
            throw InvalidSetting(name: "headEpochs", value: "0",
                                 requirement: "at least 1 when fineTuneEpochs is 0 (nothing would be trained)")
        }
        // Adam's rates live far below 1; 10 leaves room for other optimizers and still catches 1e3.
        try checkSetting("headLearningRate", headLearningRate, in: .above(0, upTo: 10))
        if let fineTuneLearningRate { try checkSetting("fineTuneLearningRate", fineTuneLearningRate, in: .above(0, upTo: 10)) }
        if let learningRateDecayPerBlock {
            try checkSetting("learningRateDecayPerBlock", learningRateDecayPerBlock, in: .above(0, upTo: 1))
        }
        try checkSetting("warmupFraction", warmupFraction, in: .from(0, below: 1))
        try checkSetting("minLearningRateFraction", minLearningRateFraction, in: .closed(0, 1))
        try checkSetting("labelSmoothing", labelSmoothing, in: .closed(0, 1))
        // A negative norm would reverse the gradients; zero would erase them.
        if let gradientClipNorm { try checkSetting("gradientClipNorm", gradientClipNorm, in: .above(0, upTo: 1e9)) }
        if let earlyStoppingPatience { try checkSetting("earlyStoppingPatience", earlyStoppingPatience, in: 1...Self.maximumEpochs) }
        try checkSetting("loaderThreads", loaderThreads, in: 0...256)
        if let weightDecay { try checkSetting("weightDecay", weightDecay, in: .closed(0, 1)) }
        try checkSetting("momentum", momentum, in: .from(0, below: 1))
        if momentum > 0 && optimizer != .sgd {
            throw InvalidSetting(name: "momentum", value: String(format: "%g", Double(momentum)),
                                 requirement: "0 with \(optimizer.rawValue) (momentum is SGD's; Adam's betas play its part)")
        }
        if let plateau = reduceOnPlateau {
            try checkSetting("reduceOnPlateau.patience", plateau.patience, in: 1...Self.maximumEpochs)
            try checkSetting("reduceOnPlateau.factor", plateau.factor, in: .above(0, upTo: 1))
            if plateau.factor == 1 {
                throw InvalidSetting(name: "reduceOnPlateau.factor", value: "1", requirement: "below 1 (1 would never reduce the rate)")
            }
            try checkSetting("reduceOnPlateau.minDelta", plateau.minDelta, in: .closed(0, 1e9))
            try checkSetting("reduceOnPlateau.cooldown", plateau.cooldown, in: 0...Self.maximumEpochs)
            try checkSetting("reduceOnPlateau.minimumLearningRate", plateau.minimumLearningRate, in: .closed(0, 10))
        }
        if let stepDecayEpochs { try checkSetting("stepDecayEpochs", stepDecayEpochs, in: 1...Self.maximumEpochs) }
        try checkSetting("stepDecayFactor", stepDecayFactor, in: .above(0, upTo: 1))
        try labelIssues.validate()
    }
}
