import Foundation
import GraftCore
import GraftData
import GraftNN
import GraftOptim

/// The learning-rate range test (Smith 2015), fastai's `lr_find`: train with a rate that grows
/// exponentially every step, record the loss, and read a good rate off the curve, before it
/// climbs. The classifier holds the same weights afterwards as before the sweep.
///
/// For the head stage the sweep runs on the frozen backbone's cached features, so a few hundred
/// steps take seconds. For the fine-tuning stage the head is first trained as stage 1 of
/// `options` would train it (the rate found for stage 2 is the rate for that head), then the
/// blocks stage 2 unfreezes train on real, augmented batches.
public final class LearningRateFinder {
    public let classifier: ImageClassifier
    public let trainingSet: ImageDataset
    public let validationSet: ImageDataset?
    public let options: TrainingOptions
    public let test: LearningRateRangeTest
    /// Told what is happening (feature computation, head training).
    public var onMessage: (String) -> Void = { _ in }
    /// After each step of the sweep: the step (from 1), the steps in all, the smoothed loss.
    public var onStep: (_ step: Int, _ steps: Int, _ smoothedLoss: Double) -> Void = { _, _, _ in }

    /// Throws `InvalidSetting` for options or a sweep out of range, before any work.
    public init(classifier: ImageClassifier, trainingSet: ImageDataset, validationSet: ImageDataset? = nil,
                options: TrainingOptions = TrainingOptions(), test: LearningRateRangeTest = LearningRateRangeTest()) throws {
        try options.validate()
        try test.validate()
        guard trainingSet.count > 0 else { throw TrainingError.noTrainingImages }
        if test.stage == .fineTune { _ = try classifier.blockGroups(options.fineTuneSelection(for: classifier)) }
        self.classifier = classifier
        self.trainingSet = trainingSet
        self.validationSet = validationSet
        self.options = options
        self.test = test
    }

    public func run() throws -> LearningRateFinding {
        classifier.batchNormMode = options.batchNorm
        let batches: () throws -> (logits: Tensor, labels: [Int], targets: Tensor?)
        switch test.stage {
        case .head:
            classifier.freezeBackbone()
            batches = try headBatches()
        case .fineTune:
            try trainHead()
            try classifier.unfreeze(options.fineTuneSelection(for: classifier))
            batches = imageBatches()
        }
        let before = classifier.stateTensors().map(\.tensor.values)
        defer { for ((_, tensor), values) in zip(classifier.stateTensors(), before) { tensor.assign(values) } }
        return try sweep(batches)
    }

    private func sweep(_ nextBatch: () throws -> (logits: Tensor, labels: [Int], targets: Tensor?)) throws -> LearningRateFinding {
        let started = Date()
        let groups = classifier.trainableParameterGroups(
            learningRateDecayPerBlock: test.stage == .fineTune ? options.learningRateDecayPerBlock : nil)
        let optimizer = options.makeOptimizer(groups: groups, learningRate: test.startLearningRate)
        let schedule = ExponentialRange(from: test.startLearningRate, to: test.endLearningRate, steps: test.resolvedSteps)
        let step = TrainStep(optimizer: optimizer, scheduler: LearningRateScheduler(optimizer: optimizer, schedule: schedule),
                             labelSmoothing: options.labelSmoothing,
                             classWeights: try options.classWeighting.weights(classCounts: trainingSet.classCounts),
                             gradientClipNorm: options.gradientClipNorm)
        var points: [LearningRateFinding.Point] = []
        var average = 0.0, lowest = Double.infinity
        var ending = "reached the last rate"
        for i in 0..<test.resolvedSteps {
            let rate = Double(optimizer.learningRate)
            let batch = try nextBatch()
            let loss = Double(try step(batch.logits, labels: batch.labels, targets: batch.targets))
            guard loss.isFinite else {
                ending = String(format: "the loss was not finite at %.2e", rate)
                break
            }
            average = test.smoothing * average + (1 - test.smoothing) * loss
            let smoothed = average / (1 - pow(test.smoothing, Double(i + 1)))
            points.append(.init(step: i + 1, learningRate: rate, loss: loss, smoothedLoss: smoothed))
            onStep(i + 1, test.resolvedSteps, smoothed)
            lowest = min(lowest, smoothed)
            if smoothed > Double(test.divergenceFactor) * lowest {
                ending = String(format: "the loss diverged at %.2e (over %g times its lowest)", rate, test.divergenceFactor)
                break
            }
        }
        return LearningRateFinding(stage: test.stage, points: points, ending: ending, seconds: Date().timeIntervalSince(started))
    }

    /// Shuffled batches of the cached features, a new order each pass over them.
    private func headBatches() throws -> () throws -> (logits: Tensor, labels: [Int], targets: Tensor?) {
        let started = Date()
        onMessage("computing the backbone features of \(trainingSet.count) images once (frozen backbone)")
        let table = try FeatureTable(classifier: classifier, dataset: trainingSet, batchSize: options.batchSize, threads: options.loaderThreads)
        onMessage(String(format: "features computed in %.1f s", Date().timeIntervalSince(started)))
        var pass = 0, order: [Int] = [], position = 0, step: UInt64 = 0
        return { [self] in
            if position >= order.count {
                var generator = SeededGenerator(seed: derivedSeed(options.seed, SeedPurpose.rangeTest.rawValue, UInt64(pass)))
                order = Array(0..<table.labels.count).shuffled(using: &generator)
                position = 0
                pass += 1
            }
            let indices = order[position..<min(position + options.batchSize, order.count)]
            position += options.batchSize
            step += 1
            let logits = classifier.head(table.batch(indices), context: trainingContext(step))
            return (logits, indices.map { table.labels[$0] }, nil)
        }
    }

    /// Batches of images through the data loader, with the run's augmentation, epoch after epoch.
    private func imageBatches() -> () throws -> (logits: Tensor, labels: [Int], targets: Tensor?) {
        let loader = DataLoader(dataset: trainingSet,
                                transform: ImageTransform(preprocessing: classifier.preprocessing, augmentation: options.augmentation),
                                options: DataLoaderOptions(batchSize: options.batchSize, shuffle: true, dropLast: false,
                                                           seed: derivedSeed(options.seed, SeedPurpose.rangeTest.rawValue),
                                                           threads: options.loaderThreads))
        var epochNumber = 0, step: UInt64 = 0
        var epoch = loader.epoch(0)
        return { [self] in
            var batch = try epoch.nextBatch()
            if batch == nil {
                epochNumber += 1
                epoch = loader.epoch(epochNumber)
                batch = try epoch.nextBatch()
            }
            guard let batch else { throw TrainingError.noTrainingImages }
            step += 1
            return (classifier(batch.images, context: trainingContext(step)), batch.labels, batch.targets)
        }
    }

    private func trainingContext(_ step: UInt64) -> ForwardContext {
        ForwardContext(training: true, seed: derivedSeed(options.seed, SeedPurpose.rangeTest.rawValue, SeedPurpose.dropout.rawValue, step))
    }

    /// Stage 1 as `options` has it, so stage 2's sweep starts from the head it would start from.
    private func trainHead() throws {
        guard options.headEpochs > 0 else { return onMessage("no head epochs: the sweep starts from an untrained head") }
        var headOnly = options
        headOnly.fineTuneEpochs = 0
        // The sweep trains on the network's logits; a temperature would go unused.
        headOnly.calibration = .none
        onMessage("training the head first: \(options.headEpochs) epochs at \(options.headLearningRate), as stage 1 would")
        let trainer = try Trainer(classifier: classifier, trainingSet: trainingSet, validationSet: validationSet, options: headOnly)
        try trainer.fit()
    }
}
