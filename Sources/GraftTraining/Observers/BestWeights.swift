import GraftCheckpoint

/// Keeps the weights of the epoch with the lowest validation loss so far (or training loss,
/// without validation) and puts them back at the end of each stage: Keras' `EarlyStopping(
/// restore_best_weights=True)` and `ModelCheckpoint(save_best_only=True)` in one, in memory.
/// Stage 2 therefore starts from stage 1's best epoch, not its last.
public final class BestWeights: TrainingObserver {
    /// The kept values, in the order of `classifier.stateTensors()`.
    private(set) var state: [[Float]]?
    private var validationOutputs: (logits: [Float], labels: [Int])?

    public init() {}

    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        guard trainer.latestEpochImproved else { return }
        state = trainer.classifier.stateTensors().map(\.tensor.values)
        validationOutputs = trainer.validationOutputs
    }

    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws {
        guard let state else { return }
        for ((_, tensor), values) in zip(trainer.classifier.stateTensors(), state) { tensor.assign(values) }
        trainer.validationOutputs = validationOutputs
    }

    /// The kept weights as a checkpoint, for a resumable run.
    func checkpoint(of classifier: ImageClassifier) -> Checkpoint? {
        state.map { state in
            Checkpoint(tensors: zip(classifier.stateTensors(), state).map {
                CheckpointTensor(name: $0.0.name, shape: $0.0.tensor.shape, values: $0.1)
            })
        }
    }

    /// Takes the kept weights back from a resumed checkpoint; the validation outputs are gone
    /// with the process and are computed again when needed.
    func restore(_ checkpoint: Checkpoint, file: String, of classifier: ImageClassifier) throws {
        state = try classifier.stateTensors().map { entry in
            guard let tensor = checkpoint[entry.name] else {
                throw TrainingError.checkpointMismatch(file: file, reason: "no tensor '\(entry.name)'")
            }
            return tensor.floatValues
        }
        validationOutputs = nil
    }
}
