import Foundation
import GraftCore
@testable import GraftTraining
import XCTest

final class OptionValidationTests: TrainingTestCase {
    private func assertInvalid(_ name: String, _ change: (inout TrainingOptions) -> Void, file: StaticString = #filePath, line: UInt = #line) {
        var options = TrainingOptions()
        change(&options)
        XCTAssertThrowsError(try options.validate(), file: file, line: line) { error in
            XCTAssertEqual((error as? InvalidSetting)?.name, name, "\(error)", file: file, line: line)
        }
    }

    func testTheDefaultsAreValid() throws {
        try TrainingOptions().validate()
        try ClassifierOptions().validate()
    }

    func testEachBadTrainingValueIsRejectedByName() {
        assertInvalid("batchSize") { $0.batchSize = 0 }
        assertInvalid("batchSize") { $0.batchSize = 1_000_000 }
        assertInvalid("headEpochs") { $0.headEpochs = -1 }
        assertInvalid("fineTuneEpochs") { $0.fineTuneEpochs = Int.max }
        assertInvalid("headEpochs") { $0.headEpochs = 0; $0.fineTuneEpochs = 0 }
        assertInvalid("headLearningRate") { $0.headLearningRate = 0 }
        assertInvalid("headLearningRate") { $0.headLearningRate = .infinity }
        assertInvalid("headLearningRate") { $0.headLearningRate = .nan }
        assertInvalid("fineTuneLearningRate") { $0.fineTuneLearningRate = -1e-5 }
        assertInvalid("learningRateDecayPerBlock") { $0.learningRateDecayPerBlock = 1.5 }
        assertInvalid("warmupFraction") { $0.warmupFraction = 1 }
        assertInvalid("minLearningRateFraction") { $0.minLearningRateFraction = .nan }
        assertInvalid("labelSmoothing") { $0.labelSmoothing = -0.1 }
        assertInvalid("gradientClipNorm") { $0.gradientClipNorm = -1 }
        assertInvalid("gradientClipNorm") { $0.gradientClipNorm = 0 }
        assertInvalid("earlyStoppingPatience") { $0.earlyStoppingPatience = 0 }
        assertInvalid("loaderThreads") { $0.loaderThreads = 100_000 }
    }

    func testEachBadClassifierValueIsRejectedByName() {
        func assertInvalid(_ name: String, classes: Int = 3, _ change: (inout ClassifierOptions) -> Void, line: UInt = #line) {
            var model = ClassifierOptions()
            change(&model)
            XCTAssertThrowsError(try model.validate(classCount: classes), line: line) { error in
                XCTAssertEqual((error as? InvalidSetting)?.name, name, "\(error)", line: line)
            }
        }
        assertInvalid("imageSize") { $0.imageSize = 8 }
        assertInvalid("imageSize") { $0.imageSize = 100_000 }
        assertInvalid("dropout") { $0.head.dropout = 1 }
        assertInvalid("dropout") { $0.head.dropout = .nan }
        assertInvalid("hiddenUnits") { $0.head.hiddenUnits = [256, -4] }
        assertInvalid("weights") { $0.randomInitialization = true; $0.weights = URL(fileURLWithPath: "/tmp/w.pth") }
        assertInvalid("head.output", classes: 5) { $0.head.output = .sigmoid }
    }

    func testMessagesNameTheValueAndTheBoundsAndCanSpeakInFlags() {
        var options = TrainingOptions()
        options.headEpochs = 0
        options.fineTuneEpochs = 0
        XCTAssertThrowsError(try options.validate()) { error in
            let renamed = (error as! InvalidSetting).renamed(["headEpochs": "--epochs", "fineTuneEpochs": "--fine-tune-epochs"])
            XCTAssertEqual(renamed.description, "--epochs must be at least 1 when --fine-tune-epochs is 0 (nothing would be trained), not 0")
        }
        options = TrainingOptions()
        options.headLearningRate = .infinity
        XCTAssertThrowsError(try options.validate()) {
            XCTAssertEqual("\($0)", "headLearningRate must be a finite number in (0, 10], not inf")
        }
        options = TrainingOptions()
        options.batchSize = 0
        XCTAssertThrowsError(try options.validate()) { XCTAssertEqual("\($0)", "batchSize must be between 1 and 4096, not 0") }
    }

    func testTheTrainerValidatesBeforeAnythingRuns() throws {
        let data = try dataset()
        var options = options()
        options.batchSize = 0
        XCTAssertThrowsError(try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: nil, options: options)) {
            XCTAssertEqual(($0 as? InvalidSetting)?.name, "batchSize")
        }
    }

    func testUnfreezeTextsParseOrNameTheProblem() throws {
        XCTAssertEqual(try UnfreezeSelection(parsing: "3"), .lastBlocks(3))
        XCTAssertEqual(try UnfreezeSelection(parsing: "all"), .all)
        XCTAssertEqual(try UnfreezeSelection(parsing: "from:12"), .fromBlockIndex(12))
        XCTAssertEqual(try UnfreezeSelection(parsing: "blocks.15, head"), .blocks(["blocks.15", "head"]))
        for bad in ["-1", "from:x", "from:-2", "", "a,,b"] {
            XCTAssertThrowsError(try UnfreezeSelection(parsing: bad), bad) { XCTAssertEqual(($0 as? InvalidSetting)?.name, "unfreeze") }
        }
    }
}
