import Foundation

/// How far a classifier's confidence is from its accuracy: images grouped into equal-width bins
/// of their top-1 confidence (the probability of the predicted class), each bin's mean confidence
/// beside its accuracy, and the expected calibration error (Guo et al. 2017; Naeini et al. 2015),
/// ECE = Σ_m |B_m| / n · |accuracy(B_m) − confidence(B_m)|, with bin m holding the confidences in
/// ((m − 1) / M, m / M]. What a reliability diagram draws, and what temperature scaling lowers.
public struct Reliability: Codable, Equatable, Sendable {
    public struct Bin: Codable, Equatable, Sendable {
        /// The bin holds confidences in (lower, upper].
        public let lower: Double
        public let upper: Double
        public let count: Int
        /// Mean top-1 confidence of its images; 0 for an empty bin.
        public let confidence: Double
        /// Fraction of its images whose predicted class is right; 0 for an empty bin.
        public let accuracy: Double
    }

    /// The usual number of bins (Guo et al.'s 15).
    public static let standardBinCount = 15

    public let bins: [Bin]
    public let images: Int
    public let expectedCalibrationError: Double

    enum CodingKeys: String, CodingKey {
        case bins, images, expectedCalibrationError = "ece"
    }

    /// - Parameters:
    ///   - logits: row-major (labels.count, classes); the probabilities are softmax(logits / temperature).
    ///   - temperature: what the logits are divided by first (1: as they are).
    public init(logits: [Float], labels: [Int], classes: Int, temperature: Double = 1, binCount: Int = standardBinCount) {
        precondition(classes > 0 && logits.count == labels.count * classes,
                     "\(logits.count) logits for \(labels.count) images of \(classes) classes")
        precondition(binCount > 0 && temperature > 0, "a positive bin count and temperature")
        var counts = [Int](repeating: 0, count: binCount), correct = [Int](repeating: 0, count: binCount)
        var confidences = [Double](repeating: 0, count: binCount)
        for (i, label) in labels.enumerated() {
            let row = logits[(i * classes)..<((i + 1) * classes)].map(Double.init)
            let predicted = predictedClass(row)
            // The predicted class's softmax probability: 1 / Σ exp((z_j − z_max) / T).
            let confidence = 1 / row.reduce(0) { $0 + exp(($1 - row[predicted]) / temperature) }
            let bin = min(binCount - 1, max(0, Int((confidence * Double(binCount)).rounded(.up)) - 1))
            counts[bin] += 1
            confidences[bin] += confidence
            if predicted == label { correct[bin] += 1 }
        }
        images = labels.count
        bins = (0..<binCount).map { m in
            let n = Double(max(1, counts[m]))
            return Bin(lower: Double(m) / Double(binCount), upper: Double(m + 1) / Double(binCount), count: counts[m],
                       confidence: confidences[m] / n, accuracy: Double(correct[m]) / n)
        }
        expectedCalibrationError = bins.reduce(0) { $0 + Double($1.count) * abs($1.accuracy - $1.confidence) } / Double(max(1, images))
    }
}
