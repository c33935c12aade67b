import Foundation
import GraftData

/// A validation image the classifier got wrong, with how sure it was.
public struct Misclassification: Sendable, Equatable {
    public var file: URL
    public var trueLabel: Int
    public var predictedLabel: Int
    /// Softmax probability of the predicted (wrong) class.
    public var probability: Double
    /// Softmax probability of the true class.
    public var trueClassProbability: Double
    /// A small JPEG of the image as a `data:` URI; nil when not made or the file is unreadable.
    public var thumbnail: String?
    /// The same with the Grad-CAM heat map of the predicted class over it: where the model
    /// looked when it went wrong. nil when not made.
    public var heatMap: String?

    /// The wrong predictions among `samples`, most confident first (by the probability of the
    /// predicted class), at most `limit`, with thumbnails whose longer side is `thumbnailSize`
    /// pixels (0 makes none).
    ///
    /// - Parameters:
    ///   - logits: row-major (samples.count, classes), in the order of `samples`.
    public static func mostConfident(logits: [Float], samples: [LabeledImage], classes: Int, limit: Int = 16,
                                     thumbnailSize: Int = 96) -> [Misclassification] {
        precondition(classes > 0 && logits.count == samples.count * classes,
                     "\(logits.count) logits for \(samples.count) images of \(classes) classes")
        var wrong: [Misclassification] = []
        for (i, sample) in samples.enumerated() {
            let row = logits[(i * classes)..<((i + 1) * classes)].map(Double.init)
            let predicted = predictedClass(row)
            guard predicted != sample.label else { continue }
            let top = row[predicted]
            let total = row.reduce(0) { $0 + Foundation.exp($1 - top) }
            wrong.append(Misclassification(file: sample.url, trueLabel: sample.label, predictedLabel: predicted,
                                           probability: 1 / total,
                                           trueClassProbability: Foundation.exp(row[sample.label] - top) / total,
                                           thumbnail: nil, heatMap: nil))
        }
        // Stable for equal probabilities: file order.
        var chosen = Array(wrong.enumerated().sorted {
            $0.element.probability > $1.element.probability
                || ($0.element.probability == $1.element.probability && $0.offset < $1.offset)
        }.map(\.element).prefix(max(0, limit)))
        if thumbnailSize > 0 {
            for i in chosen.indices { chosen[i].thumbnail = Thumbnail.dataURI(contentsOf: chosen[i].file, maxSide: thumbnailSize) }
        }
        return chosen
    }
}
