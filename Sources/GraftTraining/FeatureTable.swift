import Foundation
import GraftCore
import GraftData

/// Pooled backbone features of every image of a dataset, computed once: with a frozen backbone
/// and no augmentation they are the same every epoch, so the head can train on them directly.
struct FeatureTable {
    let width: Int
    let labels: [Int]
    /// Row-major (labels.count, width).
    let values: [Float]

    /// A table of features computed elsewhere: `values` row-major (labels.count, width).
    init(width: Int, labels: [Int], values: [Float]) {
        precondition(values.count == labels.count * width, "\(values.count) values for \(labels.count) rows of \(width)")
        self.width = width
        self.labels = labels
        self.values = values
    }

    /// `progress` gets the batches done, the batches in all and the images done, after each batch.
    init(classifier: ImageClassifier, dataset: ImageDataset, batchSize: Int, threads: Int,
         progress: ((_ batch: Int, _ batches: Int, _ images: Int) -> Void)? = nil) throws {
        let loader = DataLoader(dataset: dataset, transform: ImageTransform(preprocessing: classifier.preprocessing),
                                options: DataLoaderOptions(batchSize: batchSize, shuffle: false, dropLast: false, threads: threads))
        let epoch = loader.epoch(0)
        var values: [Float] = [], labels: [Int] = []
        var batches = 0
        while let batch = try epoch.nextBatch() {
            values += GradMode.withoutGradients { classifier.features(batch.images, context: .inference) }.values
            labels += batch.labels
            batches += 1
            progress?(batches, loader.batchesPerEpoch, labels.count)
        }
        width = classifier.headInputWidth
        self.labels = labels
        self.values = values
    }

    /// The features of the images at `indices`, as a (indices.count, width) tensor.
    func batch(_ indices: ArraySlice<Int>) -> Tensor {
        var rows = [Float]()
        rows.reserveCapacity(indices.count * width)
        for i in indices { rows += values[(i * width)..<((i + 1) * width)] }
        return Tensor(shape: [indices.count, width], values: rows)
    }
}
