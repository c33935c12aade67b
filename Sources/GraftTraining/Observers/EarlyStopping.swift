/// Ends a stage after `patience` epochs in a row without an improvement of the monitored value
/// (`TrainingOptions.monitor`: validation loss or accuracy, else the training one), as Keras'
/// `EarlyStopping(monitor=, patience=)`.
///
/// It keeps no state of its own: the count comes from the trainer's history, so a resumed run
/// stops where the uninterrupted one would.
public final class EarlyStopping: TrainingObserver {
    public let patience: Int

    public init(patience: Int) {
        precondition(patience >= 1, "early stopping needs a patience of at least one epoch, not \(patience)")
        self.patience = patience
    }

    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        let waited = trainer.epochsWithoutImprovement
        guard waited >= patience else { return }
        trainer.stopStage(reason: "stage \(record.stage): no \(trainer.options.monitor.improvement.dropFirst(2)) for \(waited) epochs; stopping early")
    }
}
