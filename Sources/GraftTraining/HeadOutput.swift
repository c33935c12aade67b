import Foundation
import GraftCore
import GraftData
import GraftModels

/// What the head's last dense layer produces.
public enum HeadOutput: String, Codable, CaseIterable, Sendable {
    /// One logit per class, softmax cross-entropy: any number of classes.
    case softmax
    /// One logit z for two classes (Keras' `Dense(1, activation="sigmoid")` with binary
    /// cross-entropy): the probability of the second class is sigmoid(z). The classifier still
    /// returns two logits per image, [0, z], whose softmax is exactly (1 - sigmoid(z), sigmoid(z)),
    /// so training (softmax cross-entropy of [0, z] is binary cross-entropy of z), evaluation and
    /// prediction treat both outputs alike and report two class probabilities.
    case sigmoid
    /// One logit per class, each its own sigmoid with binary cross-entropy (Keras'
    /// `Dense(n, activation="sigmoid")`, fastai's multi-category models): an image may show any
    /// number of the classes, and those at or above a threshold are predicted.
    case multiLabel = "multi-label"

    /// Units of the last dense layer for `classes` classes.
    func units(classes: Int) -> Int { self == .sigmoid ? 1 : classes }

    public var isMultiLabel: Bool { self == .multiLabel }

    /// What predict reports for each row of `logits` (row-major, images x classes): the `k` most
    /// probable classes; for a multi-label head every class whose probability reaches
    /// `threshold`, most probable first, however many that is (none, perhaps).
    public func predictions(logits: [Float], classes: [String], top k: Int, threshold: Double) -> [[Prediction]] {
        guard isMultiLabel else { return topPredictions(logits: logits, classes: classes, k: k) }
        let n = classes.count
        return stride(from: 0, to: logits.count, by: n).map { (start: Int) -> [Prediction] in
            let row = logits[start..<(start + n)]
            let p: [Double] = probabilities(row)
            var predicted: [Int] = []
            for (j, logit) in row.enumerated() where isPredicted(logit: logit, threshold: threshold) { predicted.append(j) }
            let ranked = predicted.sorted { (a: Int, b: Int) -> Bool in p[a] > p[b] || (p[a] == p[b] && a < b) }
            return ranked.map { Prediction(index: $0, label: classes[$0], probability: Float(p[$0])) }
        }
    }

    /// The output layer as the report's configuration shows it: "10 (softmax)".
    func layerDescription(classes: Int, threshold: Float) -> String {
        switch self {
        case .softmax: return "\(classes) (softmax)"
        case .sigmoid: return "1 (sigmoid)"
        case .multiLabel: return "\(classes) (sigmoid each, multi-label, threshold \(String(format: "%g", threshold)))"
        }
    }

    /// The class probabilities of one image's logits: their softmax, or for a multi-label head
    /// the sigmoid of each (which need not sum to 1).
    public func probabilities(_ row: ArraySlice<Float>) -> [Double] {
        isMultiLabel ? row.map { logistic(Double($0)) } : softmaxProbabilities(row)
    }
}

extension HeadOutput {
    /// Throws `InvalidSetting` unless this output suits `dataset`: a multi-label head for
    /// multi-label data, a softmax or single sigmoid for one class per image.
    public func check(fits dataset: ImageDataset) throws {
        if dataset.isMultiLabel && !isMultiLabel {
            throw InvalidSetting(name: "head.output", value: rawValue,
                                 requirement: "multi-label for multi-label data (a label file with a label delimiter)")
        }
        if isMultiLabel && !dataset.isMultiLabel {
            throw InvalidSetting(name: "head.output", value: rawValue,
                                 requirement: "softmax or sigmoid for one class per image (multi-label needs a label file with a label delimiter)")
        }
    }
}
