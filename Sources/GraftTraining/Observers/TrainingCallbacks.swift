/// Closures as an observer, for a caller that wants a line of code rather than a class:
/// `Trainer.onEpochEnd` and its siblings set these.
public final class TrainingCallbacks: TrainingObserver {
    /// After each epoch, with its record and the history so far.
    public var onEpochEnd: ((EpochRecord, [EpochRecord]) throws -> Void)?
    /// Notes worth showing (feature caching, stage starts).
    public var onMessage: ((String) -> Void)?
    /// After every batch of training, validation and feature caching.
    public var onProgress: ((BatchProgress) -> Void)?
    /// When a stage has ended (its best weights restored), with the stage number.
    public var onStageEnd: ((Int) throws -> Void)?

    public init() {}

    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws { try onEpochEnd?(record, trainer.history) }
    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws { try onStageEnd?(stage) }
    public func progress(_ progress: BatchProgress, trainer: Trainer) { onProgress?(progress) }
    public func message(_ text: String, trainer: Trainer) { onMessage?(text) }
}
