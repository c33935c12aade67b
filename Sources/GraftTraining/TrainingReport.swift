import Foundation
import GraftData

/// What report.html shows about a run: its configuration, its per-epoch history and curves, the
/// final validation metrics with the confusion matrix and per-class precision/recall/F1, and the
/// most confidently wrong validation images. `html` renders it as one self-contained file.
public struct TrainingReport: Sendable {
    /// One row of the configuration table.
    public struct Entry: Sendable, Equatable, Codable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var title: String
    public var configuration: [Entry]
    public var history: [EpochRecord]
    /// The epoch whose weights the model holds (the best by validation loss, by default).
    public var keptEpoch: EpochRecord?
    /// Metrics of the model as saved on the validation images; nil without validation images
    /// and for a multi-label model.
    public var evaluation: EvaluationReport?
    /// A multi-label model's validation metrics (in place of `evaluation`).
    public var multiLabelEvaluation: MultiLabelReport?
    public var mistakes: [Misclassification]
    /// The validation metrics with test-time augmentation's views averaged, beside the plain ones;
    /// nil when not measured.
    public var testTimeAugmentation: TestTimeEvaluation?
    /// Likely label issues and near-duplicates across splits; nil when not looked for.
    public var labelIssues: LabelIssues?
    /// The temperature of the saved model's probabilities, its expected calibration error before
    /// and after, and the reliability diagram; or why there is none.
    public var calibration: CalibrationReport
    public var generated: Date

    public init(title: String, configuration: [Entry], history: [EpochRecord], keptEpoch: EpochRecord?,
                evaluation: EvaluationReport?, multiLabelEvaluation: MultiLabelReport? = nil, mistakes: [Misclassification],
                labelIssues: LabelIssues? = nil, calibration: CalibrationReport = .notFitted,
                generated: Date = Date()) {
        self.title = title
        self.configuration = configuration
        self.history = history
        self.keptEpoch = keptEpoch
        self.evaluation = evaluation
        self.multiLabelEvaluation = multiLabelEvaluation
        self.mistakes = mistakes
        self.labelIssues = labelIssues
        self.calibration = calibration
        self.generated = generated
    }
}

extension Trainer {
    /// The report of the run so far, for the weights the classifier holds now.
    ///
    /// - Parameters:
    ///   - title: the page's heading (the output folder's name, say).
    ///   - extraConfiguration: rows shown before the run's own (data folder, weights source, ...).
    ///   - mistakes: how many confidently wrong validation images to show.
    ///   - thumbnailSize: their longer side in pixels.
    public func report(title: String = "Training report", extraConfiguration: [TrainingReport.Entry] = [],
                       topK: Int = 5, mistakes: Int = 16, thumbnailSize: Int = 96) throws -> TrainingReport {
        var evaluation: EvaluationReport?
        var multiLabel: MultiLabelReport?
        var wrong: [Misclassification] = []
        var testTimeAugmentation: TestTimeEvaluation?
        var validation: (logits: [Float], labels: [Int])?
        if let validationSet {
            let (logits, labels) = try validationOutputs
                ?? classifier.predictLogits(on: validationSet, batchSize: options.batchSize, threads: options.loaderThreads)
            validation = (logits, labels)
            if classifier.isMultiLabel {
                multiLabel = MultiLabelReport(logits: logits, labelSets: validationSet.samples.map(\.labels), classNames: classifier.classNames,
                                              threshold: Double(classifier.headConfiguration.threshold))
                return report(title: title, extraConfiguration: extraConfiguration, evaluation: nil, multiLabel: multiLabel, mistakes: [],
                              validation: validation)
            }
            // The saved model's probabilities, as predict and evaluate give them: calibrated.
            let calibrated = classifier.calibrated(logits)
            evaluation = EvaluationReport(logits: calibrated, labels: labels, classNames: classifier.classNames, topK: topK)
            precondition(labels == validationSet.samples.map(\.label), "validation outputs are not in the data set's order")
            // Measured once, for the weights the run ends with: the extra pass is not repeated per stage.
            if let augmentation = options.reportTestTimeAugmentation, let plain = evaluation, runHasEnded {
                testTimeAugmentation = try testTimeEvaluation(augmentation, plain: plain, plainLogits: calibrated, topK: topK)
            }
            wrong = Misclassification.withHeatMaps(
                Misclassification.mostConfident(logits: calibrated, samples: validationSet.samples, classes: classifier.classNames.count,
                                                limit: mistakes, thumbnailSize: thumbnailSize),
                classifier: classifier, thumbnailSize: thumbnailSize)
        }
        var made = report(title: title, extraConfiguration: extraConfiguration, evaluation: evaluation, multiLabel: nil, mistakes: wrong,
                          validation: validation)
        made.testTimeAugmentation = testTimeAugmentation
        return made
    }

    /// Whether every epoch of the run has been trained (the last stage's end, or after it).
    var runHasEnded: Bool { progress.stage > 2 || (progress.stage == 2 && options.fineTuneEpochs == 0) }

    /// `augmentation`'s gain on the validation images: its other views' calibrated logits,
    /// averaged with the plain view's, against the plain view alone.
    private func testTimeEvaluation(_ augmentation: TestTimeAugmentation, plain: EvaluationReport, plainLogits: [Float],
                                    topK: Int) throws -> TestTimeEvaluation? {
        guard let validationSet else { return nil }
        let others = try augmentation.views.dropFirst().map { view in
            classifier.calibrated(try classifier.predictLogits(on: validationSet, batchSize: options.batchSize,
                                                               threads: options.loaderThreads, view: view).logits)
        }
        let averaged = averagedOverViews([plainLogits] + others, classes: classifier.classNames.count)
        return TestTimeEvaluation(augmentation: augmentation.rawValue, views: others.count + 1, plain: plain,
                                  augmented: EvaluationReport(logits: averaged, labels: validationSet.samples.map(\.label),
                                                              classNames: classifier.classNames, topK: topK))
    }

    private func report(title: String, extraConfiguration: [TrainingReport.Entry], evaluation: EvaluationReport?,
                        multiLabel: MultiLabelReport?, mistakes: [Misclassification],
                        validation: (logits: [Float], labels: [Int])?) -> TrainingReport {
        TrainingReport(title: title,
                       configuration: extraConfiguration + TrainingReport.configuration(of: classifier, options: options,
                                                                                       trainingImages: trainingSet.count,
                                                                                       validationImages: validationSet?.count),
                       history: history, keptEpoch: keptEpoch, evaluation: evaluation, multiLabelEvaluation: multiLabel,
                       mistakes: mistakes, labelIssues: labelIssues,
                       calibration: calibrationReport(logits: validation?.logits, labels: validation?.labels))
    }
}
