import Foundation
import GraftCore
import GraftData
import GraftModels

extension ImageClassifier {
    /// Logits (row-major, images x classes) and labels of every image of `dataset`, in order.
    /// `progress` is called after each batch with the batches done, the batches in all and the
    /// images done. `view` renders each image as that test-time view instead of the plain one.
    /// These are the network's logits, as training validates with; `calibrated(_:)` divides them
    /// by the temperature predictions use.
    ///
    /// With `workers` (processes of a data-parallel job, each calling this with the same
    /// dataset), each predicts its slice and they gather the rest: every worker returns the logits
    /// of every image, and `progress` counts its own slice.
    public func predictLogits(on dataset: ImageDataset, batchSize: Int = 32,
                              threads: Int = ProcessInfo.processInfo.activeProcessorCount, view: TestTimeView? = nil,
                              workers: (any WorkerGroup)? = nil,
                              progress: ((_ batch: Int, _ batches: Int, _ images: Int) -> Void)? = nil)
        throws -> (logits: [Float], labels: [Int]) {
        guard let workers, workers.size > 1 else {
            return try predictLogitsInThisProcess(on: dataset, batchSize: batchSize, threads: threads, view: view, progress: progress)
        }
        try workers.checkAgreement(on: "images to predict", digest: Fingerprint.of(dataset))
        let slice = DataShard(rank: workers.rank, count: workers.size).range(in: dataset.count)
        let local = try predictLogitsInThisProcess(on: dataset.subset(Array(slice)), batchSize: batchSize, threads: threads,
                                                   view: view, progress: progress)
        return (try workers.gather(local.logits), dataset.samples.map(\.label))
    }

    private func predictLogitsInThisProcess(on dataset: ImageDataset, batchSize: Int, threads: Int, view: TestTimeView?,
                                            progress: ((_ batch: Int, _ batches: Int, _ images: Int) -> Void)?)
        throws -> (logits: [Float], labels: [Int]) {
        var transform = ImageTransform(preprocessing: preprocessing)
        transform.view = view
        let loader = DataLoader(dataset: dataset, transform: transform,
                                options: DataLoaderOptions(batchSize: batchSize, shuffle: false, dropLast: false,
                                                           threads: threads, cache: .off))
        let epoch = loader.epoch(0)
        var logits: [Float] = [], labels: [Int] = []
        var batches = 0
        while let batch = try epoch.nextBatch() {
            logits += self.logits(batch.images).values
            labels += batch.labels
            batches += 1
            progress?(batches, loader.batchesPerEpoch, labels.count)
        }
        return (logits, labels)
    }

    /// Loss, accuracy, top-k, per-class precision/recall/F1 and the confusion matrix on `dataset`,
    /// whose class names must be this model's (in the same order). The probabilities are the
    /// calibrated ones `predict` reports: the loss and the calibration error are the calibrated
    /// model's, and accuracy is the same either way (dividing by T keeps each row's order). A
    /// multi-label model is evaluated by `evaluateMultiLabel(on:threshold:batchSize:)` instead.
    /// With `workers`, each scores its slice and every worker returns the whole dataset's report.
    public func evaluate(on dataset: ImageDataset, topK: Int = 5, batchSize: Int = 32,
                         workers: (any WorkerGroup)? = nil) throws -> EvaluationReport {
        guard !isMultiLabel else { throw EvaluationError.multiLabel }
        guard dataset.classNames == classNames else { throw EvaluationError.classMismatch(model: classNames, data: dataset.classNames) }
        let (logits, labels) = try predictLogits(on: dataset, batchSize: batchSize, workers: workers)
        return EvaluationReport(logits: calibrated(logits), labels: labels, classNames: classNames, topK: topK)
    }

    /// The top `k` classes of each image, preprocessed as this model was trained, with calibrated
    /// probabilities (softmax of the logits divided by the temperature); with `augmentation`,
    /// from the calibrated predictions of its views averaged. A multi-label model gives every
    /// class whose probability reaches `threshold` (the saved one when nil) instead.
    public func predict(_ images: [RGBImage], top k: Int = 5, batchSize: Int = 16,
                        augmentation: TestTimeAugmentation? = nil, threshold: Double? = nil) -> [[Prediction]] {
        var results: [[Prediction]] = []
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let chunk = images[start..<min(start + batchSize, images.count)]
            let rows = augmentation.map { augmentation in
                averagedOverViews(augmentation.views.map { calibratedLogits(batch(of: chunk, view: $0)).values }, classes: classNames.count,
                                  output: headConfiguration.output)
            } ?? calibratedLogits(batch(of: chunk, view: nil)).values
            results += predictions(logits: rows, top: k, threshold: threshold)
        }
        return results
    }

    /// `images` preprocessed (as test-time `view`, or plainly), as one (N, 3, height, width) batch.
    private func batch(of images: some Collection<RGBImage>, view: TestTimeView?) -> Tensor {
        var transform = ImageTransform(preprocessing: preprocessing)
        transform.view = view
        return Tensor(shape: [images.count, 3, preprocessing.height, preprocessing.width], values: images.flatMap { transform.render($0, seed: 0) })
    }

    /// The top `k` classes of each image file, decoded a batch at a time; a file that cannot be
    /// decoded gets its error in its place and the others go on.
    public func predict(files: [URL], top k: Int = 5, batchSize: Int = 16, augmentation: TestTimeAugmentation? = nil,
                        threshold: Double? = nil) -> [Result<[Prediction], ImageDecodingError>] {
        ImageDecoder.mapBatches(of: files, batchSize: batchSize) {
            predict($0, top: k, batchSize: batchSize, augmentation: augmentation, threshold: threshold)
        }
    }
}

public enum EvaluationError: Error, CustomStringConvertible {
    case classMismatch(model: [String], data: [String])
    /// A multi-label model asked for single-label metrics (a confusion matrix, top-k).
    case multiLabel
    /// Multi-label metrics asked of a model with one class per image.
    case notMultiLabel(output: String)

    public var description: String {
        switch self {
        case .multiLabel:
            return "the model is multi-label (one sigmoid per class): it is evaluated by mAP, exact match and per-class metrics at a threshold, not by a confusion matrix"
        case .notMultiLabel(let output):
            return "the model's head is \(output), one class per image: multi-label metrics need a multi-label model"
        case let .classMismatch(model, data):
            return "the data's classes [\(data.joined(separator: ", "))] are not the model's [\(model.joined(separator: ", "))]"
        }
    }
}
