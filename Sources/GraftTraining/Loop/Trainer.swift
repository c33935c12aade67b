import Foundation
import GraftCheckpoint
import GraftCore
import GraftData
import GraftNN
import GraftOptim

/// The two-stage transfer-learning loop: the head on a frozen backbone, then the head with the
/// last blocks unfrozen at a lower learning rate, with validation after each epoch.
///
/// Everything around the loop is an observer (`observers`, told of each event in order): keeping
/// the best epoch's weights (`BestWeights`), stopping early (`EarlyStopping`), calibrating the
/// probabilities (`Calibrator`), checkpointing for `--resume` (`ResumeCheckpointer`), writing the
/// run's outputs (`RunOutputsWriter`), progress. `init` installs the first three as `options`
/// ask; `TrainingRun` composes the rest.
public final class Trainer {
    public let classifier: ImageClassifier
    public let trainingSet: ImageDataset
    public let validationSet: ImageDataset?
    public let options: TrainingOptions
    /// Told of every event of the run, in this order.
    public var observers: [any TrainingObserver]
    /// The processes training this model together, each on its slice of every batch; nil for one.
    public let workers: (any WorkerGroup)?
    /// Between backward and the optimizer in every step: the workers' synchronizer by default.
    public var gradientSynchronizer: (any GradientSynchronizer)?
    /// Checked after every batch; returning true stops with `TrainingError.interrupted` (Ctrl-C).
    public var shouldStop: () -> Bool = { false }
    /// The closures below, as one observer (the last of `observers` unless moved).
    public let callbacks = TrainingCallbacks()

    public private(set) var history: [EpochRecord] = []
    /// Validation logits (row-major, images x classes) and labels for the weights the classifier
    /// holds now: the last epoch's during a stage, the kept epoch's after it. nil without a
    /// validation set, and after resuming until they are computed again.
    public internal(set) var validationOutputs: (logits: [Float], labels: [Int])?
    /// The optimizer of the stage under way; nil between stages.
    public private(set) var optimizer: (any Optimizer)?
    /// What a `LabelIssueFinder` observer found after stage 1; the report shows it.
    public internal(set) var labelIssues: LabelIssues?

    /// Where the run stands: what a resumed run starts from.
    private(set) var progress: TrainingProgress
    private let classWeights: [Float]?
    private var headFeatures: (train: FeatureTable, validation: FeatureTable?)?
    /// Fine-tuning's frozen leading block groups' output, while stage 2 trains on it.
    var frozenPrefix: FrozenPrefix?
    /// The same, computed by stage 1 in its pass over the images, for stage 2.
    private var stagedFrozenPrefix: FrozenPrefix?
    private var stageStopReason: String?

    /// Throws `InvalidSetting` for options out of range, and `FreezingError` for a block to
    /// unfreeze that the backbone lacks: before anything trains. With `workers`, every worker
    /// makes its own trainer of the same classifier, data and options.
    public init(classifier: ImageClassifier, trainingSet: ImageDataset, validationSet: ImageDataset?,
                options: TrainingOptions = TrainingOptions(), workers: (any WorkerGroup)? = nil) throws {
        try options.validate()
        guard trainingSet.count > 0 else { throw TrainingError.noTrainingImages }
        // A block the backbone lacks should stop the run now, not after stage 1.
        if options.fineTuneEpochs > 0, let selection = options.unfreeze { _ = try classifier.blockGroups(selection) }
        try classifier.headConfiguration.output.check(fits: trainingSet)
        if trainingSet.isMultiLabel && options.classWeighting != .none {
            throw InvalidSetting(name: "classWeighting", value: "\(options.classWeighting)",
                                 requirement: "none for multi-label data (each class is its own binary decision)")
        }
        self.classifier = classifier
        self.trainingSet = trainingSet
        self.validationSet = validationSet.flatMap { $0.count > 0 ? $0 : nil }
        self.options = options
        self.workers = workers.flatMap { $0.size > 1 ? $0 : nil }
        gradientSynchronizer = self.workers?.gradientSynchronizer
        classWeights = try options.classWeighting.weights(classCounts: trainingSet.classCounts)
        progress = TrainingProgress(stage: 1, completedEpochsInStage: 0, history: [], bestLoss: nil, bestRecord: nil,
                                    epochsWithoutImprovement: 0, seed: options.seed,
                                    settings: TrainingReport.configuration(of: classifier, options: options, trainingImages: trainingSet.count,
                                                                          validationImages: self.validationSet?.count))
        observers = []
        // Without validation images there is nothing to select an epoch or stop on: both are off.
        if self.validationSet != nil {
            if options.restoreBestWeights { observers.append(BestWeights()) }
            if let patience = options.earlyStoppingPatience { observers.append(EarlyStopping(patience: patience)) }
        }
        observers.append(Calibrator())
        observers.append(callbacks)
        classifier.batchNormMode = options.batchNorm
    }

    /// The record of the epoch with the lowest selection loss so far: the weights the classifier
    /// holds at the end when a `BestWeights` observer restores them.
    public var bestEpoch: EpochRecord? { progress.bestRecord.map { history[$0] } }

    /// The epoch whose weights the classifier holds now, after the last stage that ran: the best
    /// epoch with a `BestWeights` observer, else the last one.
    public var keptEpoch: EpochRecord? { history.last.flatMap { keptEpoch(afterStage: $0.stage) } }

    /// Whether the last epoch set a new lowest selection loss.
    public var latestEpochImproved: Bool { progress.bestRecord.map { $0 == history.count - 1 } ?? false }

    /// Epochs of the current stage in a row, up to the last, without a lower selection loss.
    public var epochsWithoutImprovement: Int { progress.epochsWithoutImprovement }

    /// The epoch whose weights the classifier held when `stage` ended: with a `BestWeights`
    /// observer, the lowest selection loss of that stage and those before (what it restores);
    /// else the stage's last epoch. nil when the stage ran no epoch.
    public func keptEpoch(afterStage stage: Int) -> EpochRecord? {
        guard let last = history.last(where: { $0.stage == stage }) else { return nil }
        guard bestWeights != nil else { return last }
        let monitor = options.monitor
        return history.filter { $0.stage <= stage }.min { monitor.score($0) < monitor.score($1) } ?? last
    }

    /// Ends the stage under way after the current epoch's observers have run; `reason` is shown
    /// as a message. For observers, from `epochDidEnd`.
    public func stopStage(reason: String) {
        if stageStopReason == nil { stageStopReason = reason }
    }

    /// Tells every observer `text`.
    public func note(_ text: String) {
        for observer in observers { observer.message(text, trainer: self) }
    }

    /// Runs both stages (or what is left of them after `resume`, which needs a checkpoint
    /// written with the same settings: `TrainingError.nothingToResume` without one,
    /// `.checkpointMismatch` naming each setting that differs). The classifier ends with the best
    /// weights when a `BestWeights` observer restores them.
    @discardableResult
    public func fit(resume: Bool = false) throws -> [EpochRecord] {
        if resume {
            guard let checkpointer, try checkpointer.restore(into: self) else {
                throw TrainingError.nothingToResume(directory: checkpointDirectory?.path ?? "(no checkpoint folder was set)")
            }
            note("resuming at stage \(progress.stage), epoch \(progress.completedEpochsInStage + 1) of that stage")
        }
        try notify { try $0.trainingWillStart(self) }
        while progress.stage <= 2 {
            let stage = progress.stage
            if plan(stage).epochs > 0 { try runStage(stage) }
            progress.stage += 1
            progress.completedEpochsInStage = 0
            progress.epochsWithoutImprovement = 0
            optimizer = nil
            if plan(stage).epochs > 0 { try notify { try $0.stageDidEnd(stage, trainer: self) } }
        }
        try notify { try $0.trainingDidEnd(self) }
        return history
    }

    /// The settings of this run that differ from those a checkpoint was written with, as
    /// "name: then → now"; empty when they agree (or the checkpoint did not record them).
    func settingsDiffering(from saved: TrainingProgress) -> [String] {
        guard let then = saved.settings, let now = progress.settings else { return [] }
        let old = Dictionary(then.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let new = Dictionary(now.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        let names = then.map(\.name) + now.map(\.name).filter { old[$0] == nil }
        return names.compactMap { name in
            old[name] == new[name] ? nil : "\(name): \(old[name] ?? "(none)") → \(new[name] ?? "(none)")"
        }
    }

    /// Takes over a checkpoint's progress (for `ResumeCheckpointer`).
    func resume(from saved: TrainingProgress) {
        let settings = progress.settings
        progress = saved
        progress.settings = settings
        history = saved.history
        validationOutputs = nil
    }

    private func notify(_ event: (any TrainingObserver) throws -> Void) rethrows {
        for observer in observers { try event(observer) }
    }

    func reportProgress(_ progress: BatchProgress) {
        for observer in observers { observer.progress(progress, trainer: self) }
    }

    // MARK: - Stages

    private struct StagePlan {
        let epochs: Int
        let learningRate: Float
        let cached: Bool
    }

    private func plan(_ stage: Int) -> StagePlan {
        if stage == 1 {
            return StagePlan(epochs: options.headEpochs, learningRate: options.headLearningRate,
                             cached: options.cacheFeatures && !options.augments)
        }
        return StagePlan(epochs: options.fineTuneEpochs, learningRate: options.resolvedFineTuneLearningRate, cached: false)
    }

    private func runStage(_ stage: Int) throws {
        let plan = plan(stage)
        guard progress.completedEpochsInStage < plan.epochs else { return }
        if stage == 1 {
            classifier.freezeBackbone()
        } else {
            try classifier.unfreeze(options.fineTuneSelection(for: classifier))
        }
        let groups = classifier.trainableParameterGroups(learningRateDecayPerBlock: stage == 2 ? options.learningRateDecayPerBlock : nil)
        let optimizer = options.makeOptimizer(groups: groups, learningRate: plan.learningRate)
        if progress.completedEpochsInStage > 0, let saved = try checkpointer?.optimizerState() { try optimizer.load(saved) }
        self.optimizer = optimizer
        try notify { try $0.stageWillStart(stage, trainer: self) }
        let loader = DataLoader(dataset: trainingSet,
                                transform: ImageTransform(preprocessing: classifier.preprocessing, augmentation: options.augmentation),
                                options: DataLoaderOptions(batchSize: options.batchSize, shuffle: true, dropLast: false,
                                                           seed: derivedSeed(options.seed, UInt64(stage), SeedPurpose.shuffle.rawValue),
                                                           threads: options.loaderThreads, shard: shard))
        if plan.cached && headFeatures == nil { try computeHeadFeatures(stage: stage, plan: plan) }
        if stage == 2 {
            frozenPrefix = try frozenPrefixForStage(stage, epochs: plan.epochs, computedEarlier: stagedFrozenPrefix)
            stagedFrozenPrefix = nil
        }
        defer { frozenPrefix = nil }
        let stepsPerEpoch = plan.cached ? (trainingSet.count + options.batchSize - 1) / options.batchSize : loader.batchesPerEpoch
        let schedule = options.learningRateSchedule(learningRate: plan.learningRate, totalSteps: plan.epochs * stepsPerEpoch,
                                                    stepsPerEpoch: stepsPerEpoch)
        let scheduler = LearningRateScheduler(optimizer: optimizer, schedule: schedule,
                                              completedSteps: progress.completedEpochsInStage * stepsPerEpoch)
        let multiLabel = classifier.headConfiguration.output.isMultiLabel
        let step = TrainStep(optimizer: optimizer, scheduler: scheduler, labelSmoothing: options.labelSmoothing,
                             classWeights: classWeights, multiLabel: multiLabel, gradientClipNorm: options.gradientClipNorm,
                             synchronizer: gradientSynchronizer, workers: workers)
        while progress.completedEpochsInStage < plan.epochs {
            let epoch = progress.completedEpochsInStage
            if let plateau = options.reduceOnPlateau { applyPlateau(plateau, stage: stage, to: scheduler) }
            let started = Date()
            let dropoutSeed = derivedSeed(options.seed, UInt64(stage), SeedPurpose.dropout.rawValue, UInt64(epoch))
            let context = ForwardContext(training: true)
            // Dropout and stochastic depth draw by each image's place in the whole batch: a worker
            // draws for its slice what one process draws for those images.
            func prepare(batch: Int, of wholeCount: Int) {
                context.randomness = LayerRandomness(batchSeed: derivedSeed(dropoutSeed, UInt64(batch)),
                                                     firstSample: shard.range(in: wholeCount).lowerBound)
            }
            // BatchNorm with batch statistics: those of the whole batch, not of this worker's slice.
            context.sharedBatchStatistics = options.batchNorm == .train ? workers.map { SharedBatchStatistics(group: $0.batchStatisticsGroup) } : nil
            var totals = RunningTotals()
            func train(_ logits: Tensor?, _ labels: [Int], targets: Tensor? = nil, wholeBatch: [Int], batch: Int, standIn: Bool = false) throws {
                let share = standIn ? 0 : shareOfLoss(labels, in: wholeBatch, mixed: targets != nil)
                let loss = try logits.map { try step($0, labels: labels, targets: targets, share: share) } ?? step.stepWithoutImages()
                guard loss.isFinite else {
                    throw TrainingError.nonFiniteLoss(stage: stage, epoch: history.count + 1, batch: batch, value: loss,
                                                      lastCheckpoint: checkpointer?.existing)
                }
                if let logits, !standIn {
                    if multiLabel, let targets {
                        totals.add(loss: loss, logits: logits.values, targets: targets.values, classes: classifier.classNames.count,
                                   threshold: classifier.headConfiguration.threshold)
                    } else {
                        // The whole batch's loss for each of this worker's images: the workers' sums add up to one process's.
                        totals.add(loss: loss, logits: logits.values, labels: labels)
                    }
                }
                reportProgress(BatchProgress(phase: .training, stage: stage, epoch: history.count + 1, epochInStage: epoch + 1,
                                             epochsInStage: plan.epochs, batch: batch + 1, batches: stepsPerEpoch, images: totals.count,
                                             loss: totals.meanLoss, accuracy: totals.accuracy,
                                             seconds: Date().timeIntervalSince(started)))
                if shouldStop() { throw TrainingError.interrupted(completedEpochs: history.count, checkpoint: checkpointDirectory) }
            }
            let learningRate = optimizer.learningRate
            if plan.cached, let table = headFeatures?.train {
                var generator = SeededGenerator(seed: derivedSeed(options.seed, UInt64(stage), SeedPurpose.shuffle.rawValue, UInt64(epoch)))
                let order = Array(0..<table.labels.count).shuffled(using: &generator)
                for (b, start) in stride(from: 0, to: order.count, by: options.batchSize).enumerated() {
                    let whole = order[start..<min(start + options.batchSize, order.count)]
                    let slice = shard.range(in: whole.count), indices = whole[(start + slice.lowerBound)..<(start + slice.upperBound)]
                    prepare(batch: b, of: whole.count)
                    let targets = multiLabel && !indices.isEmpty ? Tensor(shape: [indices.count, classifier.classNames.count],
                                                                          values: trainingSet.multiHotTargets(indices)) : nil
                    try train(indices.isEmpty ? nil : classifier.head(table.batch(indices), context: context), indices.map { table.labels[$0] },
                              targets: targets, wholeBatch: whole.map { table.labels[$0] }, batch: b)
                }
            } else if let prefix = frozenPrefix {
                // The loader's batches, of what the frozen groups made of their images.
                for (b, indices) in loader.batchIndices(epoch: epoch).enumerated() {
                    prepare(batch: b, of: indices.count)
                    let labels = indices.map { trainingSet.samples[$0].label }
                    let targets = multiLabel ? Tensor(shape: [indices.count, classifier.classNames.count],
                                                      values: trainingSet.multiHotTargets(indices)) : nil
                    let logits = classifier.logits(continuingFrom: prefix.train.batch(indices), afterGroups: prefix.groups, context: context)
                    try train(logits, labels, targets: targets, wholeBatch: labels, batch: b)
                }
            } else {
                let batches = loader.epoch(epoch)
                var b = 0
                while let batch = try batches.nextBatch() {
                    prepare(batch: b, of: batch.wholeBatchLabels.count)
                    if batch.count == 0, context.sharedBatchStatistics != nil {
                        try train(standInLogits(context), [0], targets: multiLabel ? Tensor.zeros([1, classifier.classNames.count]) : nil,
                                  wholeBatch: batch.wholeBatchLabels, batch: b, standIn: true)
                    } else {
                        try train(batch.count == 0 ? nil : classifier(batch.images, context: context), batch.labels, targets: batch.targets,
                                  wholeBatch: batch.wholeBatchLabels, batch: b)
                    }
                    b += 1
                }
            }
            let trainSeconds = Date().timeIntervalSince(started)
            let epochTotals = try workers?.reduce(totals) ?? totals
            let epochNumber = history.count + 1
            let validation = try validate(cached: plan.cached) { [self] batch, batchCount, images in
                reportProgress(BatchProgress(phase: .validation, stage: stage, epoch: epochNumber, epochInStage: epoch + 1,
                                             epochsInStage: plan.epochs, batch: batch, batches: batchCount, images: images,
                                             seconds: Date().timeIntervalSince(started) - trainSeconds))
            }
            validationOutputs = validation.map { ($0.logits, $0.labels) }
            var record = EpochRecord(epoch: history.count + 1, stage: stage, loss: epochTotals.meanLoss, accuracy: epochTotals.accuracy,
                                     validationLoss: validation?.loss, validationAccuracy: validation?.accuracy,
                                     learningRate: Double(learningRate), seconds: 0,
                                     imagesPerSecond: Double(epochTotals.count) / max(trainSeconds, 1e-9),
                                     cachedFeatures: plan.cached || frozenPrefix != nil)
            record.learningRate = Double(scheduler.learningRate(at: max(0, scheduler.completedSteps - 1)))
            record.validationMeanAveragePrecision = validation?.meanAveragePrecision
            record.seconds = Date().timeIntervalSince(started)
            recordEpoch(record)
            try notify { try $0.epochDidEnd(record, trainer: self) }
            if let reason = stageStopReason {
                stageStopReason = nil
                note(reason)
                break
            }
        }
    }

    /// The logits of a worker with an empty slice of the batch while BatchNorm layers share their
    /// statistics: every worker must take part in those sums, layer by layer, so it runs one blank
    /// image that counts for nothing (no statistics; with no share of the loss, no gradient).
    private func standInLogits(_ context: ForwardContext) -> Tensor {
        context.sharedBatchStatistics?.contributes = false
        defer { context.sharedBatchStatistics?.contributes = true }
        let size = classifier.preprocessing
        return classifier(Tensor.zeros([1, 3, size.height, size.width]), context: context)
    }

    /// This worker's slice of every batch, of the feature cache and of the validation set.
    private var shard: DataShard { workers.map { DataShard(rank: $0.rank, count: $0.size) } ?? .whole }

    /// This worker's part of a batch's loss, which is a mean over the batch's images (weighted
    /// by class, when the run weights classes and the targets are plain labels).
    private func shareOfLoss(_ labels: [Int], in whole: [Int], mixed: Bool) -> Double {
        guard labels.count != whole.count else { return 1 }
        if let classWeights, !mixed {
            return labels.reduce(0.0) { $0 + Double(classWeights[$1]) } / whole.reduce(0.0) { $0 + Double(classWeights[$1]) }
        }
        return Double(labels.count) / Double(whole.count)
    }

    /// Appends `record` and updates which epoch is the best so far (the lowest selection loss,
    /// the earlier on a tie) and how long ago that was.
    private func recordEpoch(_ record: EpochRecord) {
        history.append(record)
        progress.history = history
        progress.completedEpochsInStage += 1
        let score = options.monitor.score(record)
        if progress.bestLoss.map({ score < $0 }) ?? true {
            progress.bestLoss = score
            progress.bestRecord = history.count - 1
            progress.epochsWithoutImprovement = 0
        } else {
            progress.epochsWithoutImprovement += 1
        }
    }

    /// Reduce-on-plateau's scale for the next epoch, from the monitored values of the stage's
    /// epochs so far (so a resumed run picks it up where it was), with a message when it drops.
    private func applyPlateau(_ plateau: PlateauReduction, stage: Int, to scheduler: LearningRateScheduler) {
        let scores = history.filter { $0.stage == stage }.map(options.monitor.score)
        let scale = Float(plateau.scale(afterScores: scores))
        guard scale != scheduler.scale else { return }
        let before = scheduler.learningRate(at: scheduler.completedSteps)
        scheduler.setScale(scale, floor: plateau.minimumLearningRate)
        note(String(format: "stage %d: no improvement of the %@ for %d epochs; learning rate %.2e → %.2e",
                    stage, options.monitor.quantity, plateau.patience, Double(before), Double(scheduler.learningRate(at: scheduler.completedSteps))))
    }

    /// The backbone features stage 1 cached, when it did (frozen backbone, no augmentation).
    var cachedHeadFeatures: (train: FeatureTable, validation: FeatureTable?)? { headFeatures }

    /// Stage 1 on a frozen backbone without augmentation: the backbone's features of every
    /// image, once, for the head to train on.
    private func computeHeadFeatures(stage: Int, plan: StagePlan) throws {
        let start = Date()
        let prefixPlan = try frozenPrefixPlan()
        note("stage 1: computing the backbone features of \(trainingSet.count + (validationSet?.count ?? 0)) images once "
             + "(frozen backbone, no augmentation); the head trains on them"
             + (prefixPlan.map { "; in the same pass, " + describeFrozenPrefix(groups: $0.groups, rowShape: $0.rowShape)
                 + ", which stage 2 trains on" } ?? ""))
        let epoch = history.count + 1, epochInStage = progress.completedEpochsInStage + 1
        func report(_ batch: Int, _ batches: Int, _ images: Int) {
            reportProgress(BatchProgress(phase: .computingFeatures, stage: stage, epoch: epoch, epochInStage: epochInStage,
                                         epochsInStage: plan.epochs, batch: batch, batches: batches, images: images,
                                         seconds: Date().timeIntervalSince(start)))
        }
        let trainImages = shard.range(in: trainingSet.count).count
        let trainBatches = (trainImages + options.batchSize - 1) / options.batchSize
        func validationProgress(_ batch: Int, _ batches: Int, _ images: Int) {
            report(batch + trainBatches, batches + trainBatches, images + trainImages)
        }
        if let prefixPlan {
            let (groups, rowShape) = prefixPlan
            let train = try headFeaturesAndFrozenPrefix(of: trainingSet, groups: groups, rowShape: rowShape, progress: report)
            let validation = try validationSet.map {
                try headFeaturesAndFrozenPrefix(of: $0, groups: groups, rowShape: rowShape, progress: validationProgress)
            }
            headFeatures = (train.head, validation?.head)
            stagedFrozenPrefix = FrozenPrefix(groups: groups, train: train.prefix, validation: validation?.prefix)
        } else {
            headFeatures = (try features(of: trainingSet, progress: report), try validationSet.map {
                try features(of: $0, progress: validationProgress)
            })
        }
        note(String(format: "stage 1: features computed in %.1f s", Date().timeIntervalSince(start)))
    }

    /// The backbone features of every image of `dataset`: with workers, each computes those of its
    /// slice and they gather the whole table.
    private func features(of dataset: ImageDataset, progress: @escaping (Int, Int, Int) -> Void) throws -> FeatureTable {
        guard let workers else {
            return try FeatureTable(classifier: classifier, dataset: dataset, batchSize: options.batchSize,
                                    threads: options.loaderThreads, progress: progress)
        }
        let local = try FeatureTable(classifier: classifier, dataset: dataset.subset(Array(shard.range(in: dataset.count))),
                                     batchSize: options.batchSize, threads: options.loaderThreads, progress: progress)
        return FeatureTable(width: classifier.headInputWidth, labels: dataset.samples.map(\.label), values: try workers.gather(local.values))
    }

    /// The network's logits of every image of `dataset`, in order: with workers, each predicts its
    /// slice and they gather the rest.
    private func logits(of dataset: ImageDataset, progress: @escaping (Int, Int, Int) -> Void) throws -> (logits: [Float], labels: [Int]) {
        try classifier.predictLogits(on: dataset, batchSize: options.batchSize, threads: options.loaderThreads, workers: workers,
                                     progress: progress)
    }

    /// The validation set's loss and accuracy (for multi-label data the exact-match ratio, and
    /// the mean average precision) for the weights the classifier holds now.
    private func validate(cached: Bool, progress: @escaping (Int, Int, Int) -> Void)
        throws -> (loss: Double, accuracy: Double, meanAveragePrecision: Double?, logits: [Float], labels: [Int])? {
        guard let validationSet else { return nil }
        let logits: [Float], labels: [Int]
        if let prefix = frozenPrefix, let table = prefix.validation {
            (logits, labels) = (prefix.validationLogits(table, classifier: classifier, batchSize: options.batchSize), table.labels)
        } else if cached, let table = headFeatures?.validation {
            logits = GradMode.withoutGradients {
                classifier.head(table.batch(Array(table.labels.indices)[...]), context: .inference)
            }.values
            labels = table.labels
        } else {
            (logits, labels) = try self.logits(of: validationSet, progress: progress)
        }
        if classifier.headConfiguration.output.isMultiLabel {
            let report = MultiLabelReport(logits: logits, labelSets: validationSet.samples.map(\.labels), classNames: classifier.classNames,
                                          threshold: Double(classifier.headConfiguration.threshold))
            return (report.loss, report.exactMatchRatio, report.meanAveragePrecision, logits, labels)
        }
        let report = EvaluationReport(logits: logits, labels: labels, classNames: classifier.classNames, topK: 1)
        return (report.loss, report.accuracy, nil, logits, labels)
    }
}
