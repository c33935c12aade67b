import GraftCore
import GraftModels
import GraftNN

/// Class probabilities of every training image from a head that never saw it: the images are
/// split into stratified folds, and for each fold a fresh head (the run's head configuration) is
/// trained on the other folds' cached features and predicts the fold. This is what confident
/// learning needs: a model's honest opinion of each image, not one it memorised.
struct OutOfFoldProbabilities {
    let head: HeadConfiguration
    let classes: Int
    let folds: Int
    let training: FeatureHeadTraining
    let seed: UInt64

    /// Row-major (table.labels.count, classes) softmax probabilities, in the table's order.
    func callAsFunction(_ table: FeatureTable) throws -> [Double] {
        let n = table.labels.count
        let foldOf = StratifiedFolds.assign(labels: table.labels, folds: folds, seed: derivedSeed(seed, 1))
        var probabilities = [Double](repeating: 0, count: n * classes)
        for fold in 0..<folds {
            let heldOut = (0..<n).filter { foldOf[$0] == fold }
            guard !heldOut.isEmpty else { continue }
            let rest = (0..<n).filter { foldOf[$0] != fold }
            var counts = [Int](repeating: 0, count: classes)
            for i in rest { counts[table.labels[i]] += 1 }
            var generator = SeededGenerator(seed: derivedSeed(seed, 2, UInt64(fold)))
            let model = head.makeHead(featureWidth: table.width, classes: classes, generator: &generator)
            try training.train(model, on: table, rows: rest, classCounts: counts, seed: derivedSeed(seed, 3, UInt64(fold)))
            let logits = GradMode.withoutGradients { model(table.batch(heldOut[...]), context: .inference) }.values
            for (row, image) in heldOut.enumerated() {
                let p = softmaxProbabilities(logits[(row * classes)..<((row + 1) * classes)])
                for c in 0..<classes { probabilities[image * classes + c] = p[c] }
            }
        }
        return probabilities
    }
}
