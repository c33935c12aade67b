import Foundation
import GraftData
import GraftModels

extension ImageClassifier {
    /// Logits of every image of `dataset` under each view of `augmentation` (the plain view
    /// first, so `views[0]` is what `predictLogits(on:)` gives), and the labels.
    public func viewLogits(on dataset: ImageDataset, augmentation: TestTimeAugmentation, batchSize: Int = 32,
                           threads: Int = ProcessInfo.processInfo.activeProcessorCount,
                           workers: (any WorkerGroup)? = nil) throws -> (views: [[Float]], labels: [Int]) {
        var views: [[Float]] = [], labels: [Int] = []
        for view in augmentation.views {
            let pass = try predictLogits(on: dataset, batchSize: batchSize, threads: threads, view: view, workers: workers)
            views.append(pass.logits)
            labels = pass.labels
        }
        return (views, labels)
    }
}

/// The predictions of several views of the same images as one: the mean of their softmax
/// probabilities (not of their logits, so one confident view cannot outvote the rest), given
/// back as log-probabilities, which are logits whose softmax is that mean. For a multi-label
/// head, the mean of each class's sigmoid, given back as the logit whose sigmoid it is.
public func averagedOverViews(_ views: [[Float]], classes: Int, output: HeadOutput = .softmax) -> [Float] {
    guard let first = views.first else { return [] }
    var mean = [Double](repeating: 0, count: first.count)
    for view in views {
        for start in stride(from: 0, to: view.count, by: classes) {
            for (i, p) in output.probabilities(view[start..<(start + classes)]).enumerated() { mean[start + i] += p }
        }
    }
    let tiny = Double(Float.leastNormalMagnitude)
    return mean.map { sum in
        let p = sum / Double(views.count)
        return Float(output.isMultiLabel ? log(max(p, tiny)) - log(max(1 - p, tiny)) : log(max(p, tiny)))
    }
}

/// A dataset scored with and without test-time augmentation, and the difference it made.
public struct TestTimeEvaluation: Encodable, Equatable, Sendable {
    public let augmentation: String
    public let views: Int
    /// The evaluation view alone: what `evaluate` gives without augmentation.
    public let plain: EvaluationReport
    /// The views' probabilities averaged.
    public let augmented: EvaluationReport

    public var accuracyGain: Double { augmented.accuracy - plain.accuracy }
    public var lossChange: Double { augmented.loss - plain.loss }

    enum CodingKeys: String, CodingKey {
        case augmentation, views, plain, augmented, accuracyGain = "accuracy_gain", lossChange = "loss_change"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(augmentation, forKey: .augmentation)
        try container.encode(views, forKey: .views)
        try container.encode(plain, forKey: .plain)
        try container.encode(augmented, forKey: .augmented)
        try container.encode(accuracyGain, forKey: .accuracyGain)
        try container.encode(lossChange, forKey: .lossChange)
    }

    /// The augmented report, then what augmentation changed.
    public var text: String {
        augmented.text + String(format: "\ntest-time augmentation (%@, %d views): accuracy %.4f -> %.4f (%+.2f points), loss %.4f -> %.4f",
                                augmentation, views, plain.accuracy, augmented.accuracy, 100 * accuracyGain, plain.loss, augmented.loss)
    }
}

extension ImageClassifier {
    /// `evaluate(on:topK:batchSize:)` with and without `augmentation`'s views averaged (each view's
    /// probabilities calibrated, as `predict` averages them).
    public func evaluate(on dataset: ImageDataset, topK: Int = 5, batchSize: Int = 32,
                         augmentation: TestTimeAugmentation, workers: (any WorkerGroup)? = nil) throws -> TestTimeEvaluation {
        guard !isMultiLabel else { throw EvaluationError.multiLabel }
        guard dataset.classNames == classNames else { throw EvaluationError.classMismatch(model: classNames, data: dataset.classNames) }
        let (raw, labels) = try viewLogits(on: dataset, augmentation: augmentation, batchSize: batchSize, workers: workers)
        let views = raw.map { calibrated($0) }
        return TestTimeEvaluation(
            augmentation: augmentation.rawValue, views: views.count,
            plain: EvaluationReport(logits: views[0], labels: labels, classNames: classNames, topK: topK),
            augmented: EvaluationReport(logits: averagedOverViews(views, classes: classNames.count), labels: labels,
                                        classNames: classNames, topK: topK))
    }
}
