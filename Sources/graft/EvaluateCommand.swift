import ArgumentParser
import Foundation
import Graft
import GraftDistributed

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on an image folder: loss, accuracy, top-k, per-class metrics, confusion matrix.",
        discussion: """
        Scores DATA's test/ split, else its validation/ split, else (with a warning) every image; with --labels, \
        the label file's test rows, else its validation rows, else every row. Classes the model does not have \
        are left out (with a note).
        """)

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "A model folder written by graft train (OUT/model).") var model: String
    @Argument(help: "An image folder with one sub-folder per class (the model's classes), or the folder --labels paths are relative to.")
    var data: String
    @OptionGroup var source: DataSourceOptions
    @Option(help: "k of the top-k accuracy (shown when k is below the number of classes).") var top = 5
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: ArgumentHelp("Test-time augmentation: average the predictions of the image and its mirror (flip), or of torchvision's ten crops (ten-crop); the report then also says what it gained.",
                               valueName: "views"))
    var tta: TestTimeAugmentation?
    @Option(help: ArgumentHelp("Multi-label models: the probability at or above which a class counts as predicted (default: the model's).",
                               valueName: "p"))
    var threshold: Double?
    @Flag(help: "Print JSON with accuracy, loss, top_k_accuracy, per_class and confusion_matrix (with --tta: plain, augmented and accuracy_gain).")
    var json = false
    @OptionGroup var distribution: DistributedOptions

    func validate() throws {
        try renamingSettings(["top": "--top", "batchSize": "--batch-size"]) {
            try checkSetting("top", top, in: 1...ModelConfiguration.maximumClasses)
            try checkSetting("batchSize", batchSize, in: 1...TrainingOptions.maximumBatchSize)
        }
        if let threshold { try renamingSettings(["threshold": "--threshold"]) { try checkSetting("threshold", threshold, in: .open(0, 1)) } }
    }

    func run() throws {
        try runtime.apply()
        try distribution.run(threads: runtime.threads) { try evaluate(workers: $0) }
    }

    /// One process's part: with `workers` (under mpirun), each scores its slice and rank 0 prints.
    private func evaluate(workers: MPIWorld?) throws {
        let leads = workers.map { $0.rank == 0 } ?? true
        func note(_ line: String) { if leads { printToStandardError(line) } }
        let classifier = try ImageClassifier.load(from: URL(fileURLWithPath: model))
        if classifier.isMultiLabel {
            guard source.labels != nil, source.labelDelimiter != nil else {
                throw CommandFailure("\(model) is a multi-label model: give its images' classes as --labels FILE --label-delimiter TEXT")
            }
            if tta != nil { throw CommandFailure("--tta: evaluation with test-time augmentation is for single-label models (predict --tta takes multi-label ones)") }
        } else if threshold != nil {
            throw CommandFailure("--threshold is for multi-label models; \(model) has a \(classifier.headConfiguration.output.rawValue) head")
        }
        // The model's classes, in its order: the data's labels then mean what the model's outputs mean.
        let folder = try source.dataset(at: data, options: ImageFolderOptions(classes: classifier.classNames), workers: workers)
        let split = folder.evaluationSplit
        // Notes go to standard error, so that --json output stays parseable.
        for line in folder.warnings + [split.warning].compactMap({ $0 }) { note(line) }
        note("scoring \(split.name) of \(folder.source): \(split.images.count) images"
                             + (folder.skipped.isEmpty ? "" : " (\(folder.skipped.count) skipped, listed above)"))
        if classifier.isMultiLabel {
            let report = try classifier.evaluateMultiLabel(on: split.images, threshold: threshold, batchSize: batchSize, workers: workers)
            if leads { if json { try printJSON(report) } else { print(report.text) } }
        } else if let tta {
            let evaluation = try classifier.evaluate(on: split.images, topK: top, batchSize: batchSize, augmentation: tta, workers: workers)
            if leads { if json { try printJSON(evaluation) } else { print(evaluation.text) } }
        } else {
            let report = try classifier.evaluate(on: split.images, topK: top, batchSize: batchSize, workers: workers)
            if leads { if json { try printJSON(report) } else { print(report.text) } }
        }
    }
}

func printToStandardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
