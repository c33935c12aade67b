import Foundation
import GraftCore
import GraftData

/// What the network computes of every image of a dataset up to some layer, computed once: with
/// the layers up to there frozen and no augmentation it is the same every epoch, so what follows
/// can train on it directly. Stage 1 keeps the pooled backbone features, fine-tuning the output
/// of the frozen leading block groups.
struct FeatureTable {
    let width: Int
    /// The shape of one image's row: [width] for pooled features, [C, H, W] for a feature map.
    let rowShape: [Int]
    let labels: [Int]
    /// Row-major (labels.count, width).
    let values: [Float]

    /// A table of features computed elsewhere: `values` row-major (labels.count, width).
    init(width: Int, labels: [Int], values: [Float]) {
        precondition(values.count == labels.count * width, "\(values.count) values for \(labels.count) rows of \(width)")
        self.width = width
        rowShape = [width]
        self.labels = labels
        self.values = values
    }

    /// The pooled backbone features, the head's input. `progress` gets the batches done, the
    /// batches in all and the images done, after each batch.
    init(classifier: ImageClassifier, dataset: ImageDataset, batchSize: Int, threads: Int,
         progress: ((_ batch: Int, _ batches: Int, _ images: Int) -> Void)? = nil) throws {
        try self.init(dataset: dataset, preprocessing: classifier.preprocessing, batchSize: batchSize, threads: threads,
                      rowShape: [classifier.headInputWidth], progress: progress) { classifier.features($0, context: .inference) }
    }

    /// `compute`'s output for every image, in dataset order, its batches without gradients;
    /// `rowShape` is the shape of one image's output (what an empty dataset's table reports).
    init(dataset: ImageDataset, preprocessing: Preprocessing, batchSize: Int, threads: Int, rowShape: [Int],
         progress: ((_ batch: Int, _ batches: Int, _ images: Int) -> Void)?, compute: (Tensor) -> Tensor) throws {
        self = try Self.tables(dataset: dataset, preprocessing: preprocessing, batchSize: batchSize, threads: threads,
                               rowShapes: [rowShape], progress: progress) { [compute($0)] }[0]
    }

    /// One table for each of `compute`'s outputs, from a single pass over the images.
    static func tables(dataset: ImageDataset, preprocessing: Preprocessing, batchSize: Int, threads: Int, rowShapes: [[Int]],
                       progress: ((_ batch: Int, _ batches: Int, _ images: Int) -> Void)?,
                       compute: (Tensor) -> [Tensor]) throws -> [FeatureTable] {
        // One pass: keeping decoded images for a later epoch would only hold memory.
        let loader = DataLoader(dataset: dataset, transform: ImageTransform(preprocessing: preprocessing),
                                options: DataLoaderOptions(batchSize: batchSize, shuffle: false, dropLast: false, threads: threads,
                                                           cache: .off))
        let epoch = loader.epoch(0)
        var values = rowShapes.map { shape -> [Float] in
            var row: [Float] = []
            row.reserveCapacity(dataset.count * shape.reduce(1, *))
            return row
        }
        var labels: [Int] = [], batches = 0
        while let batch = try epoch.nextBatch() {
            let outputs = GradMode.withoutGradients { compute(batch.images) }
            for (i, output) in outputs.enumerated() {
                precondition(Array(output.shape.dropFirst()) == rowShapes[i], "rows of \(output.shape.dropFirst()), not \(rowShapes[i])")
                values[i] += output.values
            }
            labels += batch.labels
            batches += 1
            progress?(batches, loader.batchesPerEpoch, labels.count)
        }
        return zip(rowShapes, values).map { FeatureTable(rowShape: $0, labels: labels, values: $1) }
    }

    private init(rowShape: [Int], labels: [Int], values: [Float]) {
        self.rowShape = rowShape
        width = rowShape.reduce(1, *)
        self.labels = labels
        self.values = values
    }

    /// The rows of the images at `indices`, as a (indices.count, rowShape...) tensor.
    func batch(_ indices: some Collection<Int>) -> Tensor {
        var rows = [Float]()
        rows.reserveCapacity(indices.count * width)
        for i in indices { rows += values[(i * width)..<((i + 1) * width)] }
        return Tensor(shape: [indices.count] + rowShape, values: rows)
    }
}
