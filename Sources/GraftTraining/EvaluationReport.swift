import Foundation

/// Metrics of a classifier on labelled images, from its logits.
public struct EvaluationReport: Codable, Equatable, Sendable {
    public struct ClassMetrics: Codable, Equatable, Sendable {
        public var name: String
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Images of this class in the data.
        public var support: Int
    }

    public var count: Int
    /// Mean cross-entropy (no label smoothing, no class weights).
    public var loss: Double
    public var accuracy: Double
    /// Fraction of images whose class is among the `topK` most probable.
    public var topK: Int
    public var topKAccuracy: Double
    public var perClass: [ClassMetrics]
    /// confusionMatrix[true class][predicted class] = images.
    public var confusionMatrix: [[Int]]
    public var classNames: [String]
    /// How far the top-1 confidence is from the accuracy (`Reliability`, 15 bins).
    public var expectedCalibrationError: Double

    enum CodingKeys: String, CodingKey {
        case count, loss, accuracy
        case topK = "top_k", topKAccuracy = "top_k_accuracy", perClass = "per_class"
        case confusionMatrix = "confusion_matrix", classNames = "class_names"
        case expectedCalibrationError = "expected_calibration_error"
    }

    /// - Parameters:
    ///   - logits: row-major (labels.count, classNames.count).
    public init(logits: [Float], labels: [Int], classNames: [String], topK: Int = 5) {
        let k = classNames.count
        precondition(logits.count == labels.count * k, "\(logits.count) logits for \(labels.count) images of \(k) classes")
        count = labels.count
        self.classNames = classNames
        self.topK = min(max(1, topK), k)
        var matrix = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        var lossSum = 0.0, inTopK = 0
        for (i, label) in labels.enumerated() {
            let row = logits[(i * k)..<((i + 1) * k)].map(Double.init)
            let top = row.max()!
            let logSum = top + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - top) })
            lossSum += logSum - row[label]
            let predicted = predictedClass(row)
            matrix[label][predicted] += 1
            let better = row.indices.filter { row[$0] > row[label] || (row[$0] == row[label] && $0 < label) }.count
            if better < self.topK { inTopK += 1 }
        }
        confusionMatrix = matrix
        expectedCalibrationError = Reliability(logits: logits, labels: labels, classes: k).expectedCalibrationError
        let n = Double(max(1, labels.count))
        loss = lossSum / n
        accuracy = Double((0..<k).reduce(0) { $0 + matrix[$1][$1] }) / n
        topKAccuracy = Double(inTopK) / n
        perClass = (0..<k).map { c in
            let truePositives = Double(matrix[c][c])
            let predicted = Double((0..<k).reduce(0) { $0 + matrix[$1][c] })
            let actual = matrix[c].reduce(0, +)
            let precision = predicted > 0 ? truePositives / predicted : 0
            let recall = actual > 0 ? truePositives / Double(actual) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return ClassMetrics(name: classNames[c], precision: precision, recall: recall, f1: f1, support: actual)
        }
    }

    /// A plain-text table: overall numbers, per-class metrics, the confusion matrix.
    public var text: String {
        var summary = String(format: "images %d  loss %.4f  accuracy %.4f", count, loss, accuracy)
        // With k at the number of classes every image is in the top k: 1.0 says nothing.
        if topK < classNames.count { summary += String(format: "  top-%d accuracy %.4f", topK, topKAccuracy) }
        summary += String(format: "  ECE %.4f", expectedCalibrationError)
        var lines = [summary]
        let width = max(8, classNames.map(\.count).max() ?? 0)
        func pad(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append(pad("class") + "  precision  recall      f1  support")
        for m in perClass {
            lines.append(pad(m.name) + String(format: "  %9.4f  %6.4f  %6.4f  %7d", m.precision, m.recall, m.f1, m.support))
        }
        lines.append("confusion matrix (rows: true class, columns: predicted)")
        for (c, row) in confusionMatrix.enumerated() {
            lines.append(pad(classNames[c]) + " " + row.map { String(format: "%6d", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}

/// The index of the largest logit in `row`; ties go to the lower index, as argmax does. Every
/// metric and report names the predicted class by this rule.
func predictedClass(_ row: [Double]) -> Int {
    row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!
}
