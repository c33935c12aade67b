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
    }
}
