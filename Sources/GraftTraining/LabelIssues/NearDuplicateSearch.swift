import GraftCore

/// Pairs of a training and a validation image whose backbone features point the same way: the
/// cosine similarity of every training row with every validation row, as matrix products of the
/// L2-normalized features (blocks of training rows, so memory stays at a block times the
/// validation set), keeping the pairs at or above a threshold.
enum NearDuplicateSearch {
    struct Pair: Equatable {
        let trainingIndex: Int
        let validationIndex: Int
        let similarity: Double
    }

    /// At most this many pairs are kept (the most similar): a threshold set far too low would
    /// otherwise pair everything with everything.
    static let maximumPairs = 100_000

    /// The pairs, most similar first (ties by training, then validation index), and how many
    /// passed the threshold in all (more than the pairs returned when `maximumPairs` cut them).
    static func pairs(training: FeatureTable, validation: FeatureTable, threshold: Double,
                      blockRows: Int = 1024) -> (pairs: [Pair], total: Int) {
        precondition(training.width == validation.width, "feature widths \(training.width) and \(validation.width) differ")
        let width = training.width, m = validation.labels.count
        guard m > 0, !training.labels.isEmpty, width > 0 else { return ([], 0) }
        // Validation features as a (width, m) matrix of unit columns.
        let unitValidation = normalizedRows(validation.values, width: width)
        var columns = [Float](repeating: 0, count: width * m)
        for j in 0..<m { for d in 0..<width { columns[d * m + j] = unitValidation[j * width + d] } }
        let right = Tensor(shape: [width, m], values: columns)
        let unitTraining = normalizedRows(training.values, width: width)
        var found: [Pair] = [], total = 0
        func byRank(_ a: Pair, _ b: Pair) -> Bool {
            a.similarity != b.similarity ? a.similarity > b.similarity
                : (a.trainingIndex, a.validationIndex) < (b.trainingIndex, b.validationIndex)
        }
        for start in stride(from: 0, to: training.labels.count, by: blockRows) {
            let rows = min(blockRows, training.labels.count - start)
            let left = Tensor(shape: [rows, width], values: Array(unitTraining[(start * width)..<((start + rows) * width)]))
            let similarities = GradMode.withoutGradients { matmul(left, right) }.values
            for r in 0..<rows {
                for j in 0..<m where Double(similarities[r * m + j]) >= threshold {
                    total += 1
                    // Rounding can carry an image's similarity with itself just past 1.
                    found.append(Pair(trainingIndex: start + r, validationIndex: j, similarity: min(1, Double(similarities[r * m + j]))))
                }
            }
            if found.count > 2 * maximumPairs { found = Array(found.sorted(by: byRank).prefix(maximumPairs)) }
        }
        return (Array(found.sorted(by: byRank).prefix(maximumPairs)), total)
    }

    /// Each row divided by its L2 norm (accumulated in double precision); a zero row stays zero,
    /// so it pairs with nothing.
    static func normalizedRows(_ values: [Float], width: Int) -> [Float] {
        var unit = values
        for start in stride(from: 0, to: values.count, by: width) {
            var sum = 0.0
            for d in start..<(start + width) { sum += Double(values[d]) * Double(values[d]) }
            guard sum > 0 else { continue }
            let scale = 1 / sum.squareRoot()
            for d in start..<(start + width) { unit[d] = Float(Double(values[d]) * scale) }
        }
        return unit
    }
}
