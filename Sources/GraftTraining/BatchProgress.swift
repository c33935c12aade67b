/// Where an epoch stands after a batch, for progress displays: `Trainer.onProgress` receives one
/// after every batch of training, of validation, and of computing cached features.
public struct BatchProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        case training
        case validation
        /// Computing the backbone features of every image once, for stage 1 on cached features.
        case computingFeatures = "computing features"
    }

    public var phase: Phase
    /// 1 (head) or 2 (fine-tuning).
    public var stage: Int
    /// 1-based, counted over the whole run (as `EpochRecord.epoch`).
    public var epoch: Int
    /// 1-based within the stage, and the stage's planned epochs.
    public var epochInStage: Int
    public var epochsInStage: Int
    /// Batches done in this phase (1-based) and in all.
    public var batch: Int
    public var batches: Int
    /// Images done in this phase.
    public var images: Int
    /// Mean loss and accuracy over the phase's batches so far (training only).
    public var loss: Double?
    public var accuracy: Double?
    /// Seconds since the phase started.
    public var seconds: Double

    public init(phase: Phase, stage: Int, epoch: Int, epochInStage: Int, epochsInStage: Int, batch: Int, batches: Int,
                images: Int, loss: Double? = nil, accuracy: Double? = nil, seconds: Double) {
        self.phase = phase
        self.stage = stage
        self.epoch = epoch
        self.epochInStage = epochInStage
        self.epochsInStage = epochsInStage
        self.batch = batch
        self.batches = batches
        self.images = images
        self.loss = loss
        self.accuracy = accuracy
        self.seconds = seconds
    }

    public var imagesPerSecond: Double { seconds > 0 ? Double(images) / seconds : 0 }

    /// Seconds left in this phase at the pace so far; nil before the first batch.
    public var estimatedSecondsLeft: Double? {
        guard batch > 0 else { return nil }
        return seconds / Double(batch) * Double(max(0, batches - batch))
    }

    public var isFinished: Bool { batch >= batches }
}
