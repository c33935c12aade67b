import Foundation
import GraftData
import GraftFiles

/// A whole training run as `graft train` does it, for any caller (the command line, a Swift
/// program, a distributed launcher): the trainer with the observers that keep the best weights,
/// stop early, checkpoint every epoch for resuming, look for label issues and near-duplicates
/// after stage 1 and keep the output folder current, then a summary of what was kept.
///
/// With `workers` (data-parallel training over several processes), every worker makes the same
/// run: all of them train, each on its slice of every batch, and worker 0 alone claims the
/// output folder and writes to it (the others read its checkpoint to resume). The run starts
/// only when every worker has found the same data and built the same initial weights.
public final class TrainingRun {
    public let classifier: ImageClassifier
    public let trainer: Trainer
    /// Where the model, history, curves, report and checkpoint go; nil keeps everything in memory.
    public let outputs: RunOutputs?
    /// Things worth telling the user before the run starts (the data's warnings, odd choices).
    public let notes: [String]
    /// Held for the run's life: one run at a time in an output folder.
    private let lock: FolderLock?

    /// Claims the output folder, builds the classifier that `model` describes for `data`'s
    /// classes (with one sigmoid per class for multi-label data unless `model` says otherwise),
    /// then the run.
    public convenience init(data: some DatasetSplits, model: ClassifierOptions, options: TrainingOptions,
                            outputs: RunOutputs?, title: String? = nil, workers: (any WorkerGroup)? = nil) throws {
        let model = model.adapted(to: data.train)
        try model.validate(for: data.train)
        try options.validate()
        // Before the weights load: a folder in use or not writable should fail at once.
        let lock = try Self.claim(outputs, workers: workers)
        let classifier = try model.makeClassifier(classNames: data.classNames, seed: options.seed)
        try self.init(data: data, classifier: classifier, options: options, outputs: outputs, lock: lock, title: title,
                      configuration: [TrainingReport.Entry("data", data.source),
                                      TrainingReport.Entry("weights", model.weightsDescription)],
                      notes: model.notes(batchNorm: options.batchNorm), workers: workers)
    }

    /// A run of a classifier built by the caller. The output folder is claimed for this process
    /// (`FolderLockError.held` if another run is using it) and must be writable.
    ///
    /// - Parameters:
    ///   - title: the report's heading (default: "graft train: " and the output folder's name).
    ///   - configuration: report rows shown before the run's own settings.
    public convenience init(data: some DatasetSplits, classifier: ImageClassifier, options: TrainingOptions, outputs: RunOutputs?,
                            title: String? = nil, configuration: [TrainingReport.Entry] = [], notes: [String] = [],
                            workers: (any WorkerGroup)? = nil) throws {
        let lock = try Self.claim(outputs, workers: workers)
        try self.init(data: data, classifier: classifier, options: options, outputs: outputs, lock: lock, title: title,
                      configuration: configuration, notes: notes, workers: workers)
    }

    /// The output folder's lock, taken by worker 0 alone.
    private static func claim(_ outputs: RunOutputs?, workers: (any WorkerGroup)?) throws -> FolderLock? {
        guard workers?.isLeader ?? true else { return nil }
        return try outputs.map { try FolderLock($0.directory) }
    }

    private init(data: some DatasetSplits, classifier: ImageClassifier, options: TrainingOptions, outputs: RunOutputs?, lock: FolderLock?,
                 title: String?, configuration: [TrainingReport.Entry], notes: [String], workers: (any WorkerGroup)?) throws {
        if let workers, workers.size > 1 {
            try workers.checkAgreement(on: "training images", digest: Fingerprint.of(data.train))
            try workers.checkAgreement(on: "validation images", digest: data.validation.map(Fingerprint.of) ?? 0)
            try workers.checkAgreement(on: "initial weights", digest: Fingerprint.of(classifier.stateTensors()))
        }
        let writes = workers?.isLeader ?? true
        self.classifier = classifier
        self.outputs = outputs
        self.lock = lock
        var notes = data.warnings + notes
        if data.validation == nil {
            notes.append("warning: no validation images, so best-epoch selection and early stopping are off: the model keeps "
                + "the last epoch's weights, every epoch runs, and the report has no validation metrics")
            if options.calibration == .temperature {
                notes.append("note: no validation images to fit a temperature on, so the saved model's probabilities are not calibrated (T = 1)")
            }
        }
        self.notes = notes
        trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options,
                              workers: workers)
        if let outputs {
            trainer.checkpointDirectory = outputs.checkpointDirectory
            trainer.checkpointer?.writes = writes
        }
        if let outputs, writes {
            let writer = RunOutputsWriter(outputs: outputs, title: title ?? "graft train: \(outputs.directory.lastPathComponent)",
                                          configuration: configuration)
            trainer.observers.insert(writer, at: trainer.observers.firstIndex { $0 === trainer.callbacks } ?? trainer.observers.endIndex)
        }
        if options.labelIssues.enabled && writes {
            // Before the writer, so the report written at the end of stage 1 shows what it found.
            let finder = LabelIssueFinder(options: options.labelIssues, outputs: outputs)
            let writerIndex = trainer.observers.firstIndex { $0 is RunOutputsWriter }
            trainer.observers.insert(finder, at: writerIndex ?? trainer.observers.firstIndex { $0 === trainer.callbacks } ?? trainer.observers.endIndex)
        }
    }

    /// Adds an observer after the run's own (a progress display, a logger).
    public func observe(_ observer: any TrainingObserver) {
        trainer.observers.append(observer)
    }

    /// Trains both stages (continuing from the checkpoint with `resume`), leaves the outputs
    /// written, and returns the summary.
    @discardableResult
    public func fit(resume: Bool = false) throws -> TrainingSummary {
        try trainer.fit(resume: resume)
        return TrainingSummary(trainer: trainer, outputs: outputs)
    }
}
