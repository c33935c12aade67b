import Foundation
import GraftCheckpoint
import GraftOptim

/// Writes a resumable checkpoint after every epoch and at every stage's end (the weights, the
/// kept best weights, the optimizer state mid-stage, and where the run stands), and restores it
/// for `Trainer.fit(resume: true)`, so a run interrupted at any moment resumes to the same
/// weights bit for bit: Keras' `BackupAndRestore`.
public final class ResumeCheckpointer: TrainingObserver {
    public let directory: URL
    /// Whose kept weights go into the checkpoint (and come back from it).
    let bestWeights: BestWeights?
    /// false: only restores (a data-parallel worker other than the one that writes).
    public var writes = true

    public init(directory: URL, bestWeights: BestWeights?) {
        self.directory = directory
        self.bestWeights = bestWeights
    }

    private var checkpoint: ResumeCheckpoint { ResumeCheckpoint(directory: directory) }

    /// The folder of the last complete checkpoint, if any.
    public var existing: URL? { checkpoint.existing }

    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        try write(trainer, optimizer: trainer.optimizer?.stateDict())
    }

    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws {
        try write(trainer, optimizer: nil)
    }

    private func write(_ trainer: Trainer, optimizer: OptimizerState?) throws {
        guard writes else { return }
        try checkpoint.write(model: Checkpoint(namedTensors: trainer.classifier.stateTensors()),
                             best: bestWeights?.checkpoint(of: trainer.classifier), optimizer: optimizer,
                             progress: trainer.progress)
    }

    /// Loads the last checkpoint into `trainer` (weights, kept weights, progress); false when there is none.
    func restore(into trainer: Trainer) throws -> Bool {
        guard let folder = checkpoint.existing else { return false }
        let saved = try checkpoint.readProgress(in: folder)
        guard saved.seed == trainer.options.seed else {
            throw TrainingError.checkpointMismatch(file: folder.path,
                                                   reason: "it was trained with seed \(saved.seed), not \(trainer.options.seed)")
        }
        let differences = trainer.settingsDiffering(from: saved)
        guard differences.isEmpty else {
            throw TrainingError.checkpointMismatch(file: folder.path, reason: "it was written with other settings (\(differences.joined(separator: "; "))); "
                                                   + "resume with the same ones, or start a new run in another folder")
        }
        try Checkpoint.read(contentsOf: folder.appendingPathComponent("model.safetensors")).load(into: trainer.classifier.stateTensors())
        let bestURL = folder.appendingPathComponent("best.safetensors")
        if let bestWeights, FileManager.default.fileExists(atPath: bestURL.path) {
            try bestWeights.restore(Checkpoint.read(contentsOf: bestURL), file: bestURL.path, of: trainer.classifier)
        }
        trainer.resume(from: saved)
        return true
    }

    /// The optimizer state saved mid-stage, for the stage a resumed run continues.
    func optimizerState() throws -> OptimizerState? {
        guard let folder = checkpoint.existing else { return nil }
        return try OptimizerState.read(from: folder.appendingPathComponent("optimizer.json"))
    }
}
