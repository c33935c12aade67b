import Foundation

/// Looks for label issues and near-duplicates once stage 1 has ended (`LabelIssues`), on the
/// features stage 1 cached, or on features computed once without augmentation when it cached
/// none; a run with no stage 1 looks before stage 2 changes the backbone. It keeps the result on
/// the trainer (for the report, which the `RunOutputsWriter` after it writes), writes
/// label_issues.csv when the run has an output folder, and tells the observers the summary line.
///
/// It draws from seeds of its own, so a run trains to the same weights with it or without it.
/// A run resumed in stage 2 keeps the label_issues.csv of the run it continues (the backbone
/// may have moved since).
public final class LabelIssueFinder: TrainingObserver {
    public let options: LabelIssueOptions
    public let outputs: RunOutputs?
    /// The longer side of the report's thumbnails.
    public let thumbnailSize: Int
    private var done = false

    public init(options: LabelIssueOptions, outputs: RunOutputs?, thumbnailSize: Int = 96) {
        self.options = options
        self.outputs = outputs
        self.thumbnailSize = thumbnailSize
    }

    public func trainingWillStart(_ trainer: Trainer) throws {
        guard trainer.progress.stage > 1 && (trainer.progress.completedEpochsInStage > 0 || trainer.options.headEpochs > 0) else { return }
        done = true
        if let outputs, FileManager.default.fileExists(atPath: outputs.labelIssuesCSV.path) {
            trainer.note("label issues: kept from before the resume in \(outputs.labelIssuesCSV.path)")
        }
    }

    public func stageWillStart(_ stage: Int, trainer: Trainer) throws {
        if stage == 2 && trainer.options.headEpochs == 0 && trainer.progress.completedEpochsInStage == 0 { try find(trainer) }
    }

    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws {
        if stage == 1 { try find(trainer) }
    }

    private func find(_ trainer: Trainer) throws {
        guard !done else { return }
        done = true
        // Confident learning ranks one given label per image against the others.
        guard !trainer.classifier.isMultiLabel else {
            trainer.note("label issues: not looked for, the search is for one class per image and this data is multi-label")
            return
        }
        let found: LabelIssues
        if let cached = trainer.cachedHeadFeatures {
            found = try LabelIssues.find(features: cached, trainingSet: trainer.trainingSet, validationSet: trainer.validationSet,
                                         classNames: trainer.classifier.classNames, head: trainer.classifier.headConfiguration,
                                         options: options, training: trainer.options, thumbnailSize: thumbnailSize)
        } else {
            trainer.note("label issues: computing the backbone features of \(trainer.trainingSet.count + (trainer.validationSet?.count ?? 0)) "
                         + "images without augmentation (stage 1 cached none)")
            found = try LabelIssues.find(classifier: trainer.classifier, trainingSet: trainer.trainingSet,
                                         validationSet: trainer.validationSet, options: options, training: trainer.options,
                                         thumbnailSize: thumbnailSize)
        }
        trainer.labelIssues = found
        if let outputs {
            try found.writeCSV(to: outputs.labelIssuesCSV)
        }
        for note in found.notes { trainer.note("label issues: " + note) }
        trainer.note(found.summaryLine(listedIn: outputs?.labelIssuesCSV.path))
    }
}
