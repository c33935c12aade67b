import Foundation
import GraftCore
import GraftData
import GraftModels
import GraftNN

/// The output of fine-tuning's frozen leading block groups for every image, computed once: with
/// no augmentation it is the same every epoch, so the groups that train run on it, and the
/// images are neither decoded nor run through the frozen groups again.
struct FrozenPrefix {
    /// How many leading block groups the tables are the output of.
    let groups: Int
    let train: FeatureTable
    let validation: FeatureTable?

    /// How the frozen groups run for the tables: as any pass that records no gradient runs them
    /// (BatchNorm on running statistics, layers fused), with oneDNN's direct convolutions as
    /// training uses, so that training on the table is training on the images.
    static var context: ForwardContext { ForwardContext(training: false, winograd: false) }

    /// The classifier's logits (row-major, images x classes) of every row of `table`.
    func validationLogits(_ table: FeatureTable, classifier: ImageClassifier, batchSize: Int) -> [Float] {
        var logits: [Float] = []
        for start in stride(from: 0, to: table.labels.count, by: batchSize) {
            let rows = start..<min(start + batchSize, table.labels.count)
            logits += GradMode.withoutGradients {
                classifier.logits(continuingFrom: table.batch(rows), afterGroups: groups, context: .inference)
            }.values
        }
        return logits
    }
}

extension Trainer {
    /// How many leading block groups fine-tuning leaves frozen, when it can train on their output
    /// computed once: the feature cache is on, nothing augments the images, one process trains
    /// (workers would each need every image's rows), the backbone can run on from a block group
    /// and the tables fit the memory budget decoded images have (with a note when they do not).
    /// Nil otherwise: every epoch runs them.
    func frozenPrefixPlan() throws -> (groups: Int, rowShape: [Int])? {
        guard options.cacheFeatures, !options.augments, workers == nil, options.fineTuneEpochs > 0,
              classifier.backbone is any ChainedBackbone else { return nil }
        let all = classifier.backbone.blockGroups.map(\.name)
        let unfrozen = Set(try classifier.blockGroups(options.fineTuneSelection(for: classifier)).map(\.name))
        guard let groups = all.firstIndex(where: unfrozen.contains), groups > 0 else { return nil }
        let size = classifier.preprocessing
        let probe = GradMode.withoutGradients {
            classifier.activation(Tensor.zeros([1, 3, size.height, size.width]), throughGroups: groups, context: FrozenPrefix.context)
        }
        let rowShape = Array(probe.shape.dropFirst())
        let bytes = frozenPrefixBytes(rowShape: rowShape)
        guard bytes <= CachePolicy.defaultBudget else {
            note(String(format: "stage 2: the output of the %d frozen block groups would take %.0f MB for %d images, over the "
                        + "%.0f MB budget; every epoch runs them", groups, Double(bytes) / 1e6,
                        trainingSet.count + (validationSet?.count ?? 0), Double(CachePolicy.defaultBudget) / 1e6))
            return nil
        }
        return (groups, rowShape)
    }

    /// What the tables of every training and validation image take, with rows of `rowShape`.
    private func frozenPrefixBytes(rowShape: [Int]) -> Int {
        (trainingSet.count + (validationSet?.count ?? 0)) * rowShape.reduce(1, *) * MemoryLayout<Float>.stride
    }

    /// A note naming what is computed once.
    func describeFrozenPrefix(groups: Int, rowShape: [Int]) -> String {
        String(format: "the output of the %d frozen block groups (%@ per image, %.0f MB)",
               groups, rowShape.map(String.init).joined(separator: "x"), Double(frozenPrefixBytes(rowShape: rowShape)) / 1e6)
    }

    /// Stage 1's head features and fine-tuning's frozen prefix, both from one pass over `dataset`.
    func headFeaturesAndFrozenPrefix(of dataset: ImageDataset, groups: Int, rowShape: [Int],
                                     progress: @escaping (Int, Int, Int) -> Void) throws -> (head: FeatureTable, prefix: FeatureTable) {
        let context = FrozenPrefix.context
        let tables = try FeatureTable.tables(dataset: dataset, preprocessing: classifier.preprocessing, batchSize: options.batchSize,
                                             threads: options.loaderThreads, rowShapes: [[classifier.headInputWidth], rowShape],
                                             progress: progress) { [classifier] images in
            let prefix = classifier.activation(images, throughGroups: groups, context: context)
            return [classifier.headInput(continuingFrom: prefix, afterGroups: groups, context: context), prefix]
        }
        return (tables[0], tables[1])
    }

    /// The frozen prefix for fine-tuning: the one stage 1 computed alongside its features when the
    /// same groups are frozen now, else computed here (a run resumed in stage 2, or one without
    /// stage 1).
    func frozenPrefixForStage(_ stage: Int, epochs: Int, computedEarlier: FrozenPrefix?) throws -> FrozenPrefix? {
        let frozen = classifier.frozenLeadingGroups
        // Stage 1 computed it only when the plan allowed it: no need to probe again.
        if let computedEarlier, computedEarlier.groups == frozen { return computedEarlier }
        guard let plan = try frozenPrefixPlan(), plan.groups == frozen else { return nil }
        note("stage \(stage): computing " + describeFrozenPrefix(groups: plan.groups, rowShape: plan.rowShape)
             + " once; the groups that train run on it")
        let start = Date()
        let epoch = history.count + 1, epochInStage = progress.completedEpochsInStage + 1
        func report(_ batch: Int, _ batches: Int, _ done: Int) {
            reportProgress(BatchProgress(phase: .computingFeatures, stage: stage, epoch: epoch, epochInStage: epochInStage,
                                         epochsInStage: epochs, batch: batch, batches: batches, images: done,
                                         seconds: Date().timeIntervalSince(start)))
        }
        func table(_ dataset: ImageDataset, progress: @escaping (Int, Int, Int) -> Void) throws -> FeatureTable {
            try FeatureTable(dataset: dataset, preprocessing: classifier.preprocessing, batchSize: options.batchSize,
                             threads: options.loaderThreads, rowShape: plan.rowShape, progress: progress) { [classifier] in
                classifier.activation($0, throughGroups: plan.groups, context: FrozenPrefix.context)
            }
        }
        let train = try table(trainingSet, progress: report)
        let trainBatches = (trainingSet.count + options.batchSize - 1) / options.batchSize
        let validation = try validationSet.map { set in
            try table(set) { report($0 + trainBatches, $1 + trainBatches, $2 + self.trainingSet.count) }
        }
        note(String(format: "stage %d: computed in %.1f s", stage, Date().timeIntervalSince(start)))
        return FrozenPrefix(groups: plan.groups, train: train, validation: validation)
    }
}
