import Foundation
import GraftCheckpoint
import GraftCore
import GraftData
import GraftNN
import GraftOptim

/// The two-stage transfer-learning loop: the head on a frozen backbone, then the head with the
/// last blocks unfrozen at a lower learning rate. Validation after each epoch, best-epoch
/// selection by validation loss, early stopping, and a resumable checkpoint after each epoch.
public final class Trainer {
    public let classifier: ImageClassifier
    public let trainingSet: ImageDataset
    public let validationSet: ImageDataset?
    public let options: TrainingOptions
    /// Where the resumable checkpoint goes after each epoch; nil writes none.
    public var checkpointDirectory: URL?
    /// Called after each epoch with its record and the history so far.
    public var onEpochEnd: ((EpochRecord, [EpochRecord]) throws -> Void)?
    /// Notes worth showing (feature caching, stage starts).
    public var onMessage: ((String) -> Void)?
    /// Called after every batch of training, validation and feature caching, for progress
    /// displays (the library draws nothing itself).
    public var onProgress: ((BatchProgress) -> Void)?
    /// Called when a stage has ended (after its best weights are restored) with the stage
    /// number: the moment to save the model or refresh a report.
    public var onStageEnd: ((Int) throws -> Void)?
    /// Checked after every batch; returning true stops with `TrainingError.interrupted` (Ctrl-C).
    public var shouldStop: () -> Bool = { false }

    public private(set) var history: [EpochRecord] = []
    /// Validation logits (row-major, images x classes) and labels for the weights the classifier
    /// holds now: the last epoch's during a stage, the kept epoch's after it. nil without a
    /// validation set, and after resuming until they are computed again.
    public private(set) var validationOutputs: (logits: [Float], labels: [Int])?
    private var bestValidationOutputs: (logits: [Float], labels: [Int])?

    private var progress: TrainingProgress
    private var bestState: [[Float]]?
    private let classWeights: [Float]?
    private var headFeatures: (train: FeatureTable, validation: FeatureTable?)?

    public init(classifier: ImageClassifier, trainingSet: ImageDataset, validationSet: ImageDataset?,
                options: TrainingOptions = TrainingOptions()) throws {
        guard trainingSet.count > 0 else { throw TrainingError.noTrainingImages }
        // A block the backbone lacks should stop the run now, not after stage 1.
        if options.fineTuneEpochs > 0, let selection = options.unfreeze { _ = try classifier.blockGroups(selection) }
        self.classifier = classifier
        self.trainingSet = trainingSet
        self.validationSet = validationSet.flatMap { $0.count > 0 ? $0 : nil }
        self.options = options
        classWeights = try options.classWeighting.weights(classCounts: trainingSet.classCounts)
        progress = TrainingProgress(stage: 1, completedEpochsInStage: 0, history: [], bestLoss: nil, bestRecord: nil,
                                    epochsWithoutImprovement: 0, seed: options.seed)
        classifier.batchNormMode = options.batchNorm
    }

    /// The record of the epoch whose weights the classifier holds at the end (the best one when
    /// `restoreBestWeights`).
    public var bestEpoch: EpochRecord? { progress.bestRecord.map { history[$0] } }

    /// The epoch whose weights the classifier held when `stage` ended: with `restoreBestWeights`,
    /// the lowest selection loss of that stage and those before (what `fit` restores); else the
    /// stage's last epoch. nil when the stage ran no epoch.
    public func keptEpoch(afterStage stage: Int) -> EpochRecord? {
        guard let last = history.last(where: { $0.stage == stage }) else { return nil }
        guard options.restoreBestWeights else { return last }
        return history.filter { $0.stage <= stage }.min { $0.selectionLoss < $1.selectionLoss } ?? last
    }

    /// Runs both stages (or what is left of them after `resume`). The classifier ends with the
    /// best weights when `options.restoreBestWeights`.
    @discardableResult
    public func fit(resume: Bool = false) throws -> [EpochRecord] {
        if resume { try restoreFromCheckpoint() }
        while progress.stage <= 2 {
            let stage = progress.stage
            try runStage(stage)
            if options.restoreBestWeights, let bestState {
                restore(bestState)
                validationOutputs = bestValidationOutputs
            }
            progress.stage += 1
            progress.completedEpochsInStage = 0
            progress.epochsWithoutImprovement = 0
            try saveCheckpoint(optimizer: nil)
            if plan(stage).epochs > 0 { try onStageEnd?(stage) }
        }
        return history
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
        let optimizer = Adam(groups: groups, learningRate: plan.learningRate)
        if progress.completedEpochsInStage > 0, let folder = checkpointDirectory.flatMap({ ResumeCheckpoint(directory: $0).existing }) {
            try optimizer.load(OptimizerState.read(from: folder.appendingPathComponent("optimizer.json")))
        }
        let loader = DataLoader(dataset: trainingSet,
                                transform: ImageTransform(preprocessing: classifier.preprocessing, augmentation: options.augmentation),
                                options: DataLoaderOptions(batchSize: options.batchSize, shuffle: true, dropLast: false,
                                                           seed: derivedSeed(options.seed, UInt64(stage), SeedPurpose.shuffle.rawValue),
                                                           threads: options.loaderThreads))
        if plan.cached && headFeatures == nil {
            let start = Date()
            onMessage?("stage 1: computing the backbone features of \(trainingSet.count + (validationSet?.count ?? 0)) images once "
                       + "(frozen backbone, no augmentation); the head trains on them")
            let epoch = history.count + 1, epochInStage = progress.completedEpochsInStage + 1
            func report(_ batch: Int, _ batches: Int, _ images: Int) {
                onProgress?(BatchProgress(phase: .computingFeatures, stage: stage, epoch: epoch, epochInStage: epochInStage,
                                          epochsInStage: plan.epochs, batch: batch, batches: batches, images: images,
                                          seconds: Date().timeIntervalSince(start)))
            }
            let train = try FeatureTable(classifier: classifier, dataset: trainingSet, batchSize: options.batchSize,
                                         threads: options.loaderThreads, progress: report)
            let trainBatches = train.batchCount(options.batchSize), trainImages = train.labels.count
            headFeatures = (train, try validationSet.map {
                try FeatureTable(classifier: classifier, dataset: $0, batchSize: options.batchSize, threads: options.loaderThreads,
                                 progress: { report($0 + trainBatches, $1 + trainBatches, $2 + trainImages) })
            })
            onMessage?(String(format: "stage 1: features computed in %.1f s", Date().timeIntervalSince(start)))
        }
        let stepsPerEpoch = plan.cached ? (trainingSet.count + options.batchSize - 1) / options.batchSize : loader.batchesPerEpoch
        let totalSteps = plan.epochs * stepsPerEpoch
        let schedule = options.learningRateSchedule(learningRate: plan.learningRate, totalSteps: totalSteps)
        let scheduler = LearningRateScheduler(optimizer: optimizer, schedule: schedule,
                                              completedSteps: progress.completedEpochsInStage * stepsPerEpoch)
        let parameters = groups.flatMap(\.parameters).map(\.tensor)
        while progress.completedEpochsInStage < plan.epochs {
            let epoch = progress.completedEpochsInStage
            let started = Date()
            let context = ForwardContext(training: true, seed: derivedSeed(options.seed, UInt64(stage), SeedPurpose.dropout.rawValue, UInt64(epoch)))
            var totals = RunningTotals()
            func step(_ logits: Tensor, _ labels: [Int], batch: Int) throws {
                let loss = softmaxCrossEntropy(logits, labels: labels, labelSmoothing: options.labelSmoothing, classWeights: classWeights)
                let value = loss.item
                guard value.isFinite else {
                    throw TrainingError.nonFiniteLoss(stage: stage, epoch: history.count + 1, batch: batch, value: value,
                                                      lastCheckpoint: checkpointDirectory.flatMap { ResumeCheckpoint(directory: $0).existing })
                }
                optimizer.zeroGrad()
                loss.backward()
                if let maxNorm = options.gradientClipNorm { clipGradientNorm(parameters, maxNorm: maxNorm) }
                optimizer.step()
                scheduler.step()
                totals.add(loss: value, logits: logits.values, labels: labels)
                onProgress?(BatchProgress(phase: .training, stage: stage, epoch: history.count + 1, epochInStage: epoch + 1,
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
                    let indices = order[start..<min(start + options.batchSize, order.count)]
                    try step(classifier.head(table.batch(indices), context: context), indices.map { table.labels[$0] }, batch: b)
                }
            } else {
                let batches = loader.epoch(epoch)
                var b = 0
                while let batch = try batches.nextBatch() {
                    try step(classifier(batch.images, context: context), batch.labels, batch: b)
                    b += 1
                }
            }
            let trainSeconds = Date().timeIntervalSince(started)
            let epochNumber = history.count + 1, reportProgress = onProgress
            let validation = try validate(cached: plan.cached) { batch, batchCount, images in
                reportProgress?(BatchProgress(phase: .validation, stage: stage, epoch: epochNumber, epochInStage: epoch + 1,
                                          epochsInStage: plan.epochs, batch: batch, batches: batchCount, images: images,
                                          seconds: Date().timeIntervalSince(started) - trainSeconds))
            }
            validationOutputs = validation.map { ($0.logits, $0.labels) }
            var record = EpochRecord(epoch: history.count + 1, stage: stage, loss: totals.meanLoss, accuracy: totals.accuracy,
                                     validationLoss: validation?.report.loss, validationAccuracy: validation?.report.accuracy,
                                     learningRate: Double(learningRate), seconds: 0,
                                     imagesPerSecond: Double(totals.count) / max(trainSeconds, 1e-9), cachedFeatures: plan.cached)
            record.learningRate = Double(schedule.learningRate(at: max(0, scheduler.completedSteps - 1)))
            record.seconds = Date().timeIntervalSince(started)
            history.append(record)
            progress.history = history
            progress.completedEpochsInStage += 1
            let improved = progress.bestLoss.map { record.selectionLoss < $0 } ?? true
            if improved {
                progress.bestLoss = record.selectionLoss
                progress.bestRecord = history.count - 1
                progress.epochsWithoutImprovement = 0
                bestState = snapshot()
                bestValidationOutputs = validationOutputs
            } else {
                progress.epochsWithoutImprovement += 1
            }
            let stopsEarly = options.earlyStoppingPatience.map { progress.epochsWithoutImprovement >= $0 } ?? false
            try saveCheckpoint(optimizer: optimizer.stateDict())
            try onEpochEnd?(record, history)
            if stopsEarly {
                onMessage?("stage \(stage): no lower validation loss for \(progress.epochsWithoutImprovement) epochs; stopping early")
                break
            }
        }
    }

    private func validate(cached: Bool, progress: @escaping (Int, Int, Int) -> Void)
        throws -> (report: EvaluationReport, logits: [Float], labels: [Int])? {
        guard let validationSet else { return nil }
        let logits: [Float], labels: [Int]
        if cached, let table = headFeatures?.validation {
            logits = GradMode.withoutGradients {
                classifier.head(table.batch(Array(table.labels.indices)[...]), context: .inference)
            }.values
            labels = table.labels
        } else {
            (logits, labels) = try classifier.predictLogits(on: validationSet, batchSize: options.batchSize,
                                                            threads: options.loaderThreads, progress: progress)
        }
        return (EvaluationReport(logits: logits, labels: labels, classNames: classifier.classNames, topK: 1), logits, labels)
    }

    // MARK: - Weights and checkpoints

    private func snapshot() -> [[Float]] { classifier.stateTensors().map(\.tensor.values) }

    private func restore(_ state: [[Float]]) {
        for ((_, tensor), values) in zip(classifier.stateTensors(), state) { tensor.assign(values) }
    }

    private func saveCheckpoint(optimizer: OptimizerState?) throws {
        guard let checkpointDirectory else { return }
        let names = classifier.stateTensors()
        let best = bestState.map { state in
            Checkpoint(tensors: zip(names, state).map { CheckpointTensor(name: $0.0.name, shape: $0.0.tensor.shape, values: $0.1) })
        }
        try ResumeCheckpoint(directory: checkpointDirectory)
            .write(model: Checkpoint(namedTensors: names), best: best, optimizer: optimizer, progress: progress)
    }

    private func restoreFromCheckpoint() throws {
        guard let checkpointDirectory else { return }
        let checkpoint = ResumeCheckpoint(directory: checkpointDirectory)
        guard let folder = checkpoint.existing else { return }
        let saved = try checkpoint.readProgress(in: folder)
        guard saved.seed == options.seed else {
            throw TrainingError.checkpointMismatch(file: folder.path, reason: "it was trained with seed \(saved.seed), not \(options.seed)")
        }
        try Checkpoint.read(contentsOf: folder.appendingPathComponent("model.safetensors")).load(into: classifier.stateTensors())
        let bestURL = folder.appendingPathComponent("best.safetensors")
        if FileManager.default.fileExists(atPath: bestURL.path) {
            let best = try Checkpoint.read(contentsOf: bestURL)
            bestState = try classifier.stateTensors().map { entry in
                guard let tensor = best[entry.name] else {
                    throw TrainingError.checkpointMismatch(file: bestURL.path, reason: "no tensor '\(entry.name)'")
                }
                return tensor.floatValues
            }
        }
        progress = saved
        history = saved.history
        validationOutputs = nil
        bestValidationOutputs = nil
        onMessage?("resuming at stage \(saved.stage), epoch \(saved.completedEpochsInStage + 1) of that stage")
    }
}

/// Loss and accuracy summed over an epoch's batches.
struct RunningTotals {
    var count = 0
    var lossSum = 0.0
    var correct = 0

    mutating func add(loss: Float, logits: [Float], labels: [Int]) {
        let k = logits.count / max(1, labels.count)
        for (i, label) in labels.enumerated() {
            let row = logits[(i * k)..<((i + 1) * k)]
            if row.indices.max(by: { row[$0] < row[$1] }) == i * k + label { correct += 1 }
        }
        lossSum += Double(loss) * Double(labels.count)
        count += labels.count
    }

    var meanLoss: Double { lossSum / Double(max(1, count)) }
    var accuracy: Double { Double(correct) / Double(max(1, count)) }
}
