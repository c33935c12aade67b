import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

final class ProgressTests: TrainingTestCase {
    func testProgressIsReportedAfterEveryBatchAndStageEnd() throws {
        let data = try dataset()
        var options = options(headEpochs: 2, fineTuneEpochs: 1)
        // With every block training, stage 2 runs on the images (a frozen prefix would be cached).
        options.unfreeze = .all
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: options)
        var events: [BatchProgress] = []
        trainer.onProgress = { events.append($0) }
        var stagesEnded: [Int] = []
        trainer.onStageEnd = { stagesEnded.append($0) }
        let history = try trainer.fit()
        XCTAssertEqual(stagesEnded, [1, 2])

        // 24 training images in batches of 8: 3 per epoch; stage 1 computes 36 images' features first.
        let training = events.filter { $0.phase == .training }
        XCTAssertEqual(training.map(\.batch), [1, 2, 3, 1, 2, 3, 1, 2, 3])
        XCTAssertEqual(training.map(\.epoch), [1, 1, 1, 2, 2, 2, 3, 3, 3])
        XCTAssertEqual(training.map(\.epochInStage), [1, 1, 1, 2, 2, 2, 1, 1, 1])
        XCTAssertTrue(training.allSatisfy { $0.batches == 3 && $0.loss != nil && $0.accuracy != nil })
        for (record, last) in zip(history, training.filter(\.isFinished)) {
            XCTAssertEqual(last.loss!, record.loss, accuracy: 1e-12)
            XCTAssertEqual(last.accuracy!, record.accuracy, accuracy: 1e-12)
            XCTAssertEqual(last.images, 24)
        }
        XCTAssertNotNil(training[1].estimatedSecondsLeft)
        XCTAssertEqual(training[2].estimatedSecondsLeft, 0)
        let caching = events.filter { $0.phase == .computingFeatures }
        XCTAssertEqual(caching.last?.images, 36)
        XCTAssertEqual(caching.last?.isFinished, true)
        // Stage 2 validates through the whole network: 12 images, batches of 8.
        XCTAssertEqual(events.filter { $0.phase == .validation }.map(\.batch), [1, 2])

        // The held validation outputs are the kept epoch's.
        let outputs = try XCTUnwrap(trainer.validationOutputs)
        let held = try trainer.classifier.predictLogits(on: data.validation!)
        XCTAssertEqual(outputs.labels, held.labels)
        for (a, b) in zip(outputs.logits, held.logits) { XCTAssertEqual(a, b, accuracy: 1e-3) }
    }
}
