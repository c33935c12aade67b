/// Something that follows a training run and may act on it: write its outputs, keep the best
/// weights, stop a stage early, checkpoint for resuming, draw progress.
///
/// `Trainer.fit` is a loop that tells each of `trainer.observers`, in order, what happened, as
/// Keras' `fit` calls its callbacks; so what a command line, a server or a distributed launcher
/// does around training is a list of observers, not a copy of the loop. Every method has an
/// empty default.
public protocol TrainingObserver: AnyObject {
    /// Before the first epoch, after `fit(resume: true)` has restored the checkpoint.
    func trainingWillStart(_ trainer: Trainer) throws
    /// Before the first epoch of a stage with epochs to run (1: head, 2: fine-tuning).
    func stageWillStart(_ stage: Int, trainer: Trainer) throws
    /// After every batch of training, of validation and of computing cached features.
    func progress(_ progress: BatchProgress, trainer: Trainer)
    /// After an epoch's validation; `trainer.history.last` is `record`. An observer may call
    /// `trainer.stopStage(reason:)` here.
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws
    /// After a stage's last epoch, once the trainer has moved on to the next stage.
    func stageDidEnd(_ stage: Int, trainer: Trainer) throws
    /// After the last stage, when `fit` is about to return normally.
    func trainingDidEnd(_ trainer: Trainer) throws
    /// A note worth showing (feature caching, a resume, an early stop).
    func message(_ text: String, trainer: Trainer)
}

extension TrainingObserver {
    public func trainingWillStart(_ trainer: Trainer) throws {}
    public func stageWillStart(_ stage: Int, trainer: Trainer) throws {}
    public func progress(_ progress: BatchProgress, trainer: Trainer) {}
    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {}
    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws {}
    public func trainingDidEnd(_ trainer: Trainer) throws {}
    public func message(_ text: String, trainer: Trainer) {}
}
