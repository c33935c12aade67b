import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

/// `--unfreeze 999` is a mistake to name, not a silent "all".
final class UnfreezeLimitTests: TrainingTestCase {
    func testMoreBlocksThanTheBackboneHasIsAnErrorNamingTheCountAndTheMaximum() throws {
        let classifier = try makeClassifier()
        let count = classifier.backbone.blockGroups.count
        XCTAssertEqual(try classifier.blockGroups(.lastBlocks(count)).count, count)
        XCTAssertEqual(try classifier.blockGroups(.all).count, count)
        XCTAssertEqual(try classifier.blockGroups(.lastBlocks(0)).count, 0)
        XCTAssertThrowsError(try classifier.blockGroups(.lastBlocks(count + 1))) { error in
            XCTAssertEqual(error as? FreezingError, .tooManyBlocks(count + 1, available: count))
            XCTAssertTrue("\(error)".contains("cannot unfreeze the last \(count + 1) blocks: the backbone has \(count) block groups"),
                          "\(error)")
        }
        let before = state(classifier)
        XCTAssertThrowsError(try classifier.unfreeze(.lastBlocks(999)))
        XCTAssertEqual(state(classifier), before)
        var options = options(headEpochs: 1, fineTuneEpochs: 1)
        options.unfreeze = .lastBlocks(999)
        let data = try dataset()
        XCTAssertThrowsError(try Trainer(classifier: classifier, trainingSet: data.train, validationSet: nil, options: options)) {
            XCTAssertEqual($0 as? FreezingError, .tooManyBlocks(999, available: count))
        }
    }

    func testGraftTrainRefusesTheCountBeforeTraining() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let data = try SyntheticImages.folder(trainPerClass: 2, validationPerClass: 1)
        let out = temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: out)
        }
        let before = try snapshot(of: data)
        let outcome = try graft.run(["train", data.path, "--out", out.path, "--backbone", "mobilenetv2", "--random-init",
                                     "--image-size", "32", "--epochs", "1", "--fine-tune-epochs", "1", "--unfreeze", "999"])
        XCTAssertTrue(outcome.failedCleanly, "\(outcome.status) \(outcome.standardError)")
        let count = BackboneKind.mobileNetV2.makeFeatureExtractor(seed: 0).blockGroups.count
        XCTAssertTrue(outcome.standardError.contains("cannot unfreeze the last 999 blocks: the backbone has \(count) block groups"),
                      outcome.standardError)
        XCTAssertFalse(outcome.standardOutput.contains("stage 1 epoch"), "nothing trained: \(outcome.standardOutput)")
        XCTAssertEqual(try snapshot(of: data), before)
    }
}
