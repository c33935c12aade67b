import Foundation

/// Keeps a run's output folder current: history and curves after every epoch; the model, the
/// history and the report after every stage (so a run stopped in stage 2 still leaves stage 1's
/// model); and all of them at the end if a resumed run had nothing left to train.
public final class RunOutputsWriter: TrainingObserver {
    public let outputs: RunOutputs
    /// The report's heading, and rows shown before the run's own configuration.
    public let title: String
    public let configuration: [TrainingReport.Entry]
    /// Whether model/ and report.html describe the newest epoch.
    private var current = false

    public init(outputs: RunOutputs, title: String, configuration: [TrainingReport.Entry] = []) {
        self.outputs = outputs
        self.title = title
        self.configuration = configuration
    }

    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        try outputs.writeHistory(trainer.history)
        current = false
    }

    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws {
        try writeAll(trainer)
        guard stage == 1 && trainer.options.fineTuneEpochs > 0 else { return }
        let kept = trainer.keptEpoch(afterStage: 1).map { best in
            "kept epoch \(best.epoch)" + (best.validationAccuracy.map { String(format: " (validation accuracy %.4f)", $0) } ?? "") + "; "
        } ?? ""
        trainer.note("stage 1 done: \(kept)model and report written to \(outputs.directory.path)")
    }

    public func trainingDidEnd(_ trainer: Trainer) throws {
        if !current { try writeAll(trainer) }
    }

    /// The model, history and report of the weights the classifier holds now.
    private func writeAll(_ trainer: Trainer) throws {
        try outputs.writeModel(trainer.classifier)
        try outputs.writeHistory(trainer.history)
        try outputs.writeReport(trainer.report(title: title, extraConfiguration: configuration))
        current = true
    }
}
