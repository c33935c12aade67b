import GraftCore

/// Stratified K-fold assignment, as scikit-learn's `StratifiedKFold(shuffle=True)`: each class's
/// images are shuffled and dealt to the folds in turn, so every fold holds about a K-th of every
/// class (a class with fewer images than folds is missing from some folds).
enum StratifiedFolds {
    /// The fold (0..<folds) of each of `labels`, drawn from `seed` alone.
    static func assign(labels: [Int], folds: Int, seed: UInt64) -> [Int] {
        precondition(folds > 0, "folds must be positive")
        var generator = SeededGenerator(seed: seed)
        var fold = [Int](repeating: 0, count: labels.count)
        let byClass = Dictionary(grouping: labels.indices, by: { labels[$0] })
        // The dealing continues from class to class, so small classes do not all start at fold 0.
        var next = 0
        for label in byClass.keys.sorted() {
            for index in byClass[label]!.shuffled(using: &generator) {
                fold[index] = next
                next = (next + 1) % folds
            }
        }
        return fold
    }
}
