import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

/// Both stages of training on each backbone that has no training test of its own elsewhere: the
/// fine-tuned blocks change, and every frozen weight and statistic ends the run bit for bit as it
/// started. The library's Trainer (what `graft train` runs) without the saved outputs, which for
/// the largest backbones would cost more time than the training.
final class BackboneTrainingTests: TrainingTestCase {
    private func assertTrains(_ kind: BackboneKind, file: StaticString = #filePath, line: UInt = #line) throws {
        let data = try dataset()
        let classifier = ImageClassifier(backbone: kind.makeFeatureExtractor(seed: 5), kind: kind,
                                         classNames: data.classNames, head: HeadConfiguration(), imageSize: 32, seed: 5)
        let before = state(classifier)
        var options = options(headEpochs: 1, fineTuneEpochs: 1)
        options.restoreBestWeights = false
        let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options)
        XCTAssertEqual(try trainer.fit().map(\.stage), [1, 2], kind.rawValue, file: file, line: line)

        let after = state(classifier)
        let fineTuned = classifier.backbone.blockGroups.suffix(2).flatMap(\.prefixes).map { "backbone." + $0 + "." }
        var changed = 0
        for (name, values) in before where name.hasPrefix("backbone.") {
            if name.contains("running_") || !fineTuned.contains(where: { name.hasPrefix($0) }) {
                XCTAssertEqual(values, after[name], "\(kind.rawValue): frozen \(name) changed", file: file, line: line)
            } else if values != after[name] {
                changed += 1
            }
        }
        XCTAssertGreaterThan(changed, 0, "\(kind.rawValue): fine-tuning changed none of the last two blocks", file: file, line: line)
    }

    func testResNet18() throws { try assertTrains(.resNet18) }
    func testResNet34() throws { try assertTrains(.resNet34) }
    func testResNet101() throws { try assertTrains(.resNet101) }
    func testResNet152() throws { try assertTrains(.resNet152) }
    func testVGG19() throws { try assertTrains(.vgg19) }
    /// The last block trains with its stochastic depth, and the head's LayerNorm with it.
    func testConvNeXtTiny() throws { try assertTrains(.convNeXtTiny) }
    /// The concatenation's backward hands each earlier layer its slice of the gradient.
    func testDenseNet121() throws { try assertTrains(.denseNet121) }
    func testResNet50AsKerasBuildsIt() throws { try assertTrains(.resNet50Keras) }
    func testMobileNetV2AsKerasBuildsIt() throws { try assertTrains(.mobileNetV2Keras) }
    func testEfficientNetB0AsKerasBuildsIt() throws { try assertTrains(.efficientNetB0Keras) }
}
