import Foundation
import GraftCore

/// Metrics of a multi-label classifier (one sigmoid per class) on labelled images, from its
/// logits: what scikit-learn's `average_precision_score`, `precision_recall_fscore_support`
/// and `accuracy_score` give on the same numbers.
public struct MultiLabelReport: Codable, Equatable, Sendable {
    public struct ClassMetrics: Codable, Equatable, Sendable {
        public var name: String
        /// Of the images predicted to show the class (probability at or above the threshold),
        /// the share that do; 0 when none is predicted (scikit-learn's `zero_division=0`).
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Average precision over every threshold (area under the precision-recall steps); nil
        /// for a class no image shows, where it is undefined.
        public var averagePrecision: Double?
        /// Images showing the class.
        public var support: Int

        enum CodingKeys: String, CodingKey {
            case name, precision, recall, f1, support
            case averagePrecision = "average_precision"
        }
    }

    public var count: Int
    /// Mean binary cross-entropy over images and classes (no label smoothing).
    public var loss: Double
    /// The probability at or above which a class counts as predicted.
    public var threshold: Double
    /// Share of images whose predicted classes are exactly their classes (scikit-learn's
    /// subset accuracy): what the epochs' "accuracy" column shows for multi-label data.
    public var exactMatchRatio: Double
    /// Share of (image, class) decisions that are right: Keras' `binary_accuracy`.
    public var labelAccuracy: Double
    /// The mean of the classes' average precisions (classes with images only): the ranking
    /// quality, independent of the threshold.
    public var meanAveragePrecision: Double
    public var perClass: [ClassMetrics]
    public var classNames: [String]

    enum CodingKeys: String, CodingKey {
        case count, loss, threshold
        case exactMatchRatio = "exact_match_ratio", labelAccuracy = "label_accuracy"
        case meanAveragePrecision = "mean_average_precision", perClass = "per_class", classNames = "class_names"
    }

    /// - Parameters:
    ///   - logits: row-major (labelSets.count, classNames.count).
    ///   - labelSets: each image's classes.
    public init(logits: [Float], labelSets: [[Int]], classNames: [String], threshold: Double = 0.5) {
        let k = classNames.count, n = labelSets.count
        precondition(logits.count == n * k, "\(logits.count) logits for \(n) images of \(k) classes")
        count = n
        self.threshold = threshold
        self.classNames = classNames
        var truth = [Bool](repeating: false, count: n * k)
        for (i, labels) in labelSets.enumerated() { for label in labels { truth[i * k + label] = true } }
        let predicted = logits.map { isPredicted(logit: $0, threshold: threshold) }

        var lossSum = 0.0
        for (z, t) in zip(logits.map(Double.init), truth) {
            lossSum += max(z, 0) - (t ? z : 0) + Foundation.log1p(Foundation.exp(-abs(z)))
        }
        loss = lossSum / Double(max(1, n * k))
        exactMatchRatio = Double((0..<n).filter { i in (0..<k).allSatisfy { predicted[i * k + $0] == truth[i * k + $0] } }.count)
            / Double(max(1, n))
        labelAccuracy = Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(max(1, n * k))
        perClass = (0..<k).map { c in
            let column = (0..<n).map { $0 * k + c }
            let truePositives = Double(column.filter { predicted[$0] && truth[$0] }.count)
            let predictedCount = Double(column.filter { predicted[$0] }.count)
            let support = column.filter { truth[$0] }.count
            let precision = predictedCount > 0 ? truePositives / predictedCount : 0
            let recall = support > 0 ? truePositives / Double(support) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassMetrics(name: classNames[c], precision: precision, recall: recall, f1: f1,
                                averagePrecision: averagePrecision(scores: column.map { Double(logits[$0]) }, positives: column.map { truth[$0] }),
                                support: support)
        }
        let defined = perClass.compactMap(\.averagePrecision)
        meanAveragePrecision = defined.isEmpty ? 0 : defined.reduce(0, +) / Double(defined.count)
    }

    /// A plain-text table: overall numbers, then per-class metrics.
    public var text: String {
        var lines = [String(format: "images %d  loss %.4f  mAP %.4f  exact match %.4f  label accuracy %.4f  (threshold %.2f)",
                            count, loss, meanAveragePrecision, exactMatchRatio, labelAccuracy, threshold)]
        let width = max(8, classNames.map(\.count).max() ?? 0)
        func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append(pad("class") + "  precision  recall      f1      AP  support")
        for m in perClass {
            let ap = m.averagePrecision.map { String(format: "%6.4f", $0) } ?? "     –"
            lines.append(pad(m.name) + String(format: "  %9.4f  %6.4f  %6.4f  ", m.precision, m.recall, m.f1) + ap
                         + String(format: "  %7d", m.support))
        }
        return lines.joined(separator: "\n")
    }
}

/// scikit-learn's `average_precision_score` for one class: the sum over the distinct scores,
/// highest first, of (recall gained) x (precision there); images of equal score enter
/// together. nil without any positive image.
func averagePrecision(scores: [Double], positives: [Bool]) -> Double? {
    let total = positives.filter { $0 }.count
    guard total > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var truePositives = 0, seen = 0, previousRecall = 0.0, sum = 0.0
    var i = 0
    while i < order.count {
        let score = scores[order[i]]
        while i < order.count && scores[order[i]] == score {
            if positives[order[i]] { truePositives += 1 }
            seen += 1
            i += 1
        }
        let recall = Double(truePositives) / Double(total)
        sum += (recall - previousRecall) * Double(truePositives) / Double(seen)
        previousRecall = recall
    }
    return sum
}

/// Whether a multi-label head predicts a class from its logit: sigmoid(logit) >= threshold, the
/// one rule every metric, prediction and report applies.
func isPredicted(logit: Float, threshold: Double) -> Bool { logistic(Double(logit)) >= threshold }
