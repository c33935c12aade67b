import Foundation
import GraftCore
import GraftData
import GraftModels
import GraftNN
import GraftTraining
import XCTest

/// EfficientNet-B0 to B3 and MobileNetV3-Large and -Small train: both stages of the two-stage
/// recipe run on a tiny image folder (32 px, random backbones, one epoch each), the frozen blocks
/// and every running statistic stay bit-identical, and fine-tuning moves the unfrozen blocks. The
/// last three groups are unfrozen, so EfficientNet's stochastic depth runs in a residual block
/// that trains. Eight training images and no validation pass: one batch of one size, so each
/// network creates its primitives once (their creation, not the arithmetic, is what costs here).
final class SqueezeExciteTrainingTests: XCTestCase {
    nonisolated(unsafe) private static var root: URL?

    private func dataset() throws -> ImageFolder {
        if Self.root == nil {
            Self.root = try SyntheticImages.folder(trainPerClass: 4, validationPerClass: 1, classNames: ["blue", "green"])
        }
        return try ImageFolder(root: Self.root!)
    }

    private func checkTwoStages(_ kind: BackboneKind) throws {
        let data = try dataset()
        let classifier = ImageClassifier(backbone: kind.makeFeatureExtractor(seed: 3), kind: kind, classNames: data.classNames,
                                         head: HeadConfiguration(dropout: 0.2), imageSize: 32, seed: 5)
        let before = Dictionary(uniqueKeysWithValues: classifier.stateTensors().map { ($0.name, $0.tensor.values) })
        var options = TrainingOptions()
        options.batchSize = 8
        options.headEpochs = 1
        options.fineTuneEpochs = 1
        options.unfreeze = .lastBlocks(3)
        options.loaderThreads = 1
        options.seed = 11
        options.restoreBestWeights = false
        let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: nil, options: options)
        let history = try trainer.fit()
        XCTAssertEqual(history.map(\.stage), [1, 2], kind.rawValue)
        XCTAssertTrue(history.allSatisfy { $0.loss.isFinite }, "\(kind.rawValue): \(history.map(\.summaryLine))")

        let unfrozen = classifier.backbone.blockGroups.suffix(3).flatMap(\.prefixes).map { "backbone." + $0 + "." }
        var changed = 0
        for entry in classifier.stateTensors() where entry.name.hasPrefix("backbone.") {
            let values = entry.tensor.values
            if entry.name.contains("running_") || !unfrozen.contains(where: { entry.name.hasPrefix($0) }) {
                XCTAssertEqual(values, before[entry.name], "\(kind.rawValue): \(entry.name) changed")
            } else if values != before[entry.name] {
                changed += 1
            }
        }
        XCTAssertGreaterThan(changed, 0, "\(kind.rawValue): fine-tuning changed none of the unfrozen blocks")
    }

    func testEfficientNetB0() throws { try checkTwoStages(.efficientNetB0) }
    func testEfficientNetB1() throws { try checkTwoStages(.efficientNetB1) }
    func testEfficientNetB2() throws { try checkTwoStages(.efficientNetB2) }
    func testEfficientNetB3() throws { try checkTwoStages(.efficientNetB3) }
    func testMobileNetV3Large() throws { try checkTwoStages(.mobileNetV3Large) }
    func testMobileNetV3Small() throws { try checkTwoStages(.mobileNetV3Small) }
}
