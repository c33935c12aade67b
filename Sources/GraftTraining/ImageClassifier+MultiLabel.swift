import Foundation
import GraftCore
import GraftData
import GraftModels

extension ImageClassifier {
    /// Whether the head has one sigmoid per class (an image may show any number of classes).
    public var isMultiLabel: Bool { headConfiguration.output.isMultiLabel }

    /// Sets the probability at or above which a multi-label head predicts a class, the one
    /// part of the head the weights do not depend on (tuned on validation data, say); saved
    /// with the model. Throws `InvalidSetting` outside (0, 1).
    public func setThreshold(_ threshold: Float) throws {
        try checkSetting("threshold", threshold, in: .open(0, 1))
        headConfiguration.threshold = threshold
    }

    /// What predict reports for each row of `logits` (row-major, images x classes): the `k` most
    /// probable classes; for a multi-label head every class whose probability reaches
    /// `threshold` (the saved one when nil).
    func predictions(logits: [Float], top k: Int, threshold: Double?) -> [[Prediction]] {
        headConfiguration.output.predictions(logits: logits, classes: classNames, top: k,
                                             threshold: threshold ?? Double(headConfiguration.threshold))
    }

    /// mAP, exact match, label accuracy and per-class precision, recall, F1 and average
    /// precision at `threshold` (the saved one when nil) on multi-label `dataset`, whose class
    /// names must be this model's.
    public func evaluateMultiLabel(on dataset: ImageDataset, threshold: Double? = nil, batchSize: Int = 32,
                                   workers: (any WorkerGroup)? = nil) throws -> MultiLabelReport {
        guard isMultiLabel else { throw EvaluationError.notMultiLabel(output: headConfiguration.output.rawValue) }
        guard dataset.classNames == classNames else { throw EvaluationError.classMismatch(model: classNames, data: dataset.classNames) }
        let (logits, _) = try predictLogits(on: dataset, batchSize: batchSize, workers: workers)
        return MultiLabelReport(logits: logits, labelSets: dataset.samples.map(\.labels), classNames: classNames,
                                threshold: threshold ?? Double(headConfiguration.threshold))
    }
}
