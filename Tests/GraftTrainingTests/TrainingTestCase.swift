import Foundation
import GraftData
import GraftModels
import GraftNN
import GraftTraining
import GraftCore
import XCTest

/// Shared fixtures: one synthetic folder per test class run, and a small random MobileNetV2.
class TrainingTestCase: XCTestCase {
    nonisolated(unsafe) static var root: URL?

    func dataset() throws -> ImageFolder {
        if Self.root == nil { Self.root = try SyntheticImages.folder() }
        return try ImageFolder(root: Self.root!)
    }

    nonisolated(unsafe) static var calibratedBackbone: [[Float]]?

    /// `classNames` (default: the synthetic folder's) and `output` shape the head; the backbone is the same.
    func makeClassifier(seed: UInt64 = 7, dropout: Float = 0.2, classNames: [String]? = nil,
                        output: HeadOutput = .softmax) throws -> ImageClassifier {
        let classifier = ImageClassifier(backbone: BackboneKind.mobileNetV2.makeFeatureExtractor(seed: 3), kind: .mobileNetV2,
                                         classNames: try classNames ?? dataset().classNames,
                                         head: HeadConfiguration(dropout: dropout, output: output),
                                         imageSize: 32, seed: seed)
        if Self.calibratedBackbone == nil { Self.calibratedBackbone = try calibrate(classifier) }
        for (entry, values) in zip(classifier.backbone.stateTensors(), Self.calibratedBackbone!) { entry.tensor.assign(values) }
        return classifier
    }

    /// Random weights with BatchNorm statistics of 0 and 1 let activations fade to nothing over
    /// seventeen blocks; statistics measured on the images make the random features usable, a
    /// stand-in for pretrained weights.
    private func calibrate(_ classifier: ImageClassifier) throws -> [[Float]] {
        let norms = classifier.backbone.namedModules().compactMap { $0.module as? BatchNorm2d }
        for norm in norms { norm.usesRunningStatistics = false }
        let loader = DataLoader(dataset: try dataset().train, transform: ImageTransform(preprocessing: classifier.preprocessing),
                                options: DataLoaderOptions(batchSize: 24, shuffle: false, threads: 0))
        guard let batch = try loader.epoch(0).nextBatch() else { throw XCTSkip("no images") }
        for _ in 0..<40 {
            _ = GradMode.withoutGradients { classifier.features(batch.images, context: ForwardContext(training: true)) }
        }
        classifier.applyBatchNormMode()
        return classifier.backbone.stateTensors().map(\.tensor.values)
    }

    func options(headEpochs: Int = 3, fineTuneEpochs: Int = 1) -> TrainingOptions {
        var options = TrainingOptions()
        options.batchSize = 8
        options.headEpochs = headEpochs
        options.fineTuneEpochs = fineTuneEpochs
        options.headLearningRate = 1e-2
        options.fineTuneLearningRate = 1e-3
        options.unfreeze = .lastBlocks(2)
        options.loaderThreads = 1
        options.seed = 11
        // The thresholds of these tiny runs (12 validation images) were set under a cosine decay to
        // zero, the default schedule then; the tests of the schedule choice set their own.
        options.schedule = .cosine
        options.minLearningRateFraction = 0
        return options
    }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("graft-run-\(UUID().uuidString)")
    }

    func state(_ classifier: ImageClassifier) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: classifier.stateTensors().map { ($0.name, $0.tensor.values) })
    }
}
