import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

final class TrainerTests: TrainingTestCase {
    func testTwoStagesLearnAndLeaveFrozenWeightsAndStatisticsUntouched() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        let before = state(classifier)
        var options = options()
        // Keeps the fine-tuned weights even when they validate no better, so the test sees them.
        options.restoreBestWeights = false
        let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options)
        let history = try trainer.fit()
        XCTAssertEqual(history.map(\.stage), [1, 1, 1, 2])
        XCTAssertTrue(history[0].cachedFeatures)
        // Without restoring the best weights, each stage keeps its last epoch's.
        XCTAssertEqual(trainer.keptEpoch(afterStage: 1)?.epoch, 3)
        XCTAssertEqual(trainer.keptEpoch(afterStage: 2)?.epoch, 4)
        XCTAssertGreaterThan(history.compactMap(\.validationAccuracy).max()!, 0.6, "\(history.map(\.summaryLine))")
        let after = state(classifier)
        let unfrozen = classifier.backbone.blockGroups.suffix(2).flatMap(\.prefixes).map { "backbone." + $0 + "." }
        var changed = 0
        for (name, values) in before where name.hasPrefix("backbone.") {
            if name.contains("running_") || !unfrozen.contains(where: { name.hasPrefix($0) }) {
                XCTAssertEqual(values, after[name], "\(name) changed")
            } else if values != after[name] {
                changed += 1
            }
        }
        XCTAssertGreaterThan(changed, 0, "fine-tuning changed none of the unfrozen blocks")
    }

    func testUnfreezingLastBlocksMakesExactlyThoseTrainable() throws {
        let classifier = try makeClassifier()
        XCTAssertTrue(classifier.trainableBackboneKeys.isEmpty)
        try classifier.unfreeze(.lastBlocks(2))
        let expected = classifier.backbone.namedParameters().map(\.name).filter { name in
            classifier.backbone.blockGroups.suffix(2).flatMap(\.prefixes).contains { keyMatches(name, $0) }
        }
        XCTAssertEqual(classifier.trainableBackboneKeys, expected)
        XCTAssertFalse(expected.isEmpty)
        XCTAssertTrue(classifier.summary().contains("head (1280 -> 3)"), classifier.summary())
        XCTAssertThrowsError(try classifier.unfreeze(.blocks(["nope"])))
    }

    func testUnfreezingByIndexOrNameAndRejectingUnknownBlocksBeforeTraining() throws {
        let classifier = try makeClassifier()
        let groups = classifier.backbone.blockGroups
        XCTAssertEqual(try classifier.blockGroups(.fromBlockIndex(groups.count - 2)).map(\.name), groups.suffix(2).map(\.name))
        XCTAssertEqual(try classifier.blockGroups(.blocks(["head", "stem"])).map(\.name), ["head", "stem"])
        XCTAssertThrowsError(try classifier.blockGroups(.fromBlockIndex(groups.count + 1)))
        var options = options(headEpochs: 1, fineTuneEpochs: 1)
        options.unfreeze = .blocks(["blocks.0", "nosuch"])
        let data = try dataset()
        XCTAssertThrowsError(try Trainer(classifier: classifier, trainingSet: data.train, validationSet: nil, options: options)) {
            XCTAssertEqual(($0 as? FreezingError)?.description.contains("unknown block 'nosuch'"), true, "\($0)")
        }
    }

    func testCachedFeaturesGiveTheSameHeadAsTheUncachedPath() throws {
        let data = try dataset()
        var heads: [[Float]] = []
        for cached in [true, false] {
            let classifier = try makeClassifier(dropout: 0)
            var options = options(headEpochs: 2, fineTuneEpochs: 0)
            // One batch per epoch: the two paths visit the images in different orders.
            options.batchSize = data.train.count
            options.cacheFeatures = cached
            let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options)
            let history = try trainer.fit()
            XCTAssertEqual(history.map(\.cachedFeatures), [cached, cached])
            heads.append(classifier.head.parameters.flatMap(\.values))
        }
        for (a, b) in zip(heads[0], heads[1]) { XCTAssertEqual(a, b, accuracy: 1e-4) }
    }

    func testFineTuningOnTheFrozenGroupsOutputGivesWhatTrainingOnTheImagesGives() throws {
        let data = try dataset()
        var runs: [(weights: [Float], history: [EpochRecord], notes: [String])] = []
        for cached in [true, false] {
            let classifier = try makeClassifier()
            var options = options(headEpochs: 0, fineTuneEpochs: 2)
            options.cacheFeatures = cached
            options.unfreeze = .lastBlocks(3)
            let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options)
            var notes: [String] = []
            trainer.callbacks.onMessage = { notes.append($0) }
            let history = try trainer.fit()
            runs.append((classifier.parameters.flatMap(\.values), history, notes))
        }
        let (cached, uncached) = (runs[0], runs[1])
        XCTAssertEqual(cached.history.map(\.cachedFeatures), [true, true])
        XCTAssertEqual(uncached.history.map(\.cachedFeatures), [false, false])
        let groups = try makeClassifier().backbone.blockGroups.count - 3
        XCTAssertTrue(cached.notes.contains { $0.contains("output of the \(groups) frozen block groups") }, "\(cached.notes)")
        XCTAssertFalse(uncached.notes.contains { $0.contains("frozen block groups") }, "\(uncached.notes)")
        for (a, b) in zip(cached.history, uncached.history) {
            XCTAssertEqual(a.loss, b.loss, accuracy: 1e-6 * max(1, abs(b.loss)))
            XCTAssertEqual(try XCTUnwrap(a.validationLoss), try XCTUnwrap(b.validationLoss), accuracy: 1e-5)
        }
        let largest = zip(cached.weights, uncached.weights).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(largest, 1e-5, "the weights differ by up to \(largest)")
    }

    /// With stage 1 on cached features, its one pass over the images also computes what stage 2
    /// trains on (testResumeReachesTheSameWeightsAsAnUninterruptedRun checks that it equals what
    /// a run resumed in stage 2 computes again).
    func testStageOneComputesTheFrozenGroupsOutputInItsPass() throws {
        let data = try dataset()
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: options(headEpochs: 1, fineTuneEpochs: 1))
        var notes: [String] = []
        trainer.callbacks.onMessage = { notes.append($0) }
        XCTAssertEqual(try trainer.fit().map(\.cachedFeatures), [true, true])
        XCTAssertTrue(notes.contains { $0.hasPrefix("stage 1: computing") && $0.contains("in the same pass, the output of the") }, "\(notes)")
        XCTAssertFalse(notes.contains { $0.hasPrefix("stage 2: computing") }, "\(notes)")
    }

    func testNonFiniteLossStopsWithAClearError() throws {
        let data = try dataset()
        var options = options(headEpochs: 1, fineTuneEpochs: 0)
        options.classWeighting = .explicit([.nan, 1, 1])
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: nil, options: options)
        XCTAssertThrowsError(try trainer.fit()) { error in
            XCTAssertTrue("\(error)".contains("the loss became nan in stage 1, epoch 1"), "\(error)")
        }
    }

    func testResumeReachesTheSameWeightsAsAnUninterruptedRun() throws {
        let data = try dataset()
        let options = options(headEpochs: 2, fineTuneEpochs: 2)
        let whole = try makeClassifier()
        try Trainer(classifier: whole, trainingSet: data.train, validationSet: data.validation, options: options).fit()

        let directory = temporaryDirectory()
        let interrupted = try Trainer(classifier: try makeClassifier(), trainingSet: data.train,
                                      validationSet: data.validation, options: options)
        interrupted.checkpointDirectory = directory
        var batches = 0
        // Stops in the middle of the first fine-tuning epoch (3 batches per epoch).
        interrupted.shouldStop = { batches += 1; return batches == 8 }
        XCTAssertThrowsError(try interrupted.fit())
        let resumed = try Trainer(classifier: try makeClassifier(seed: 99), trainingSet: data.train,
                                  validationSet: data.validation, options: options)
        resumed.checkpointDirectory = directory
        let history = try resumed.fit(resume: true)
        XCTAssertEqual(history.count, 4)
        XCTAssertEqual(state(resumed.classifier), state(whole))
        // Each stage kept the lowest validation loss so far, also for the stage run before resuming;
        // after the last stage that is the best epoch.
        let lowest = { (stage: Int) in history.filter { $0.stage <= stage }.min { $0.validationLoss! < $1.validationLoss! }!.epoch }
        XCTAssertEqual(resumed.keptEpoch(afterStage: 1)?.epoch, lowest(1))
        XCTAssertEqual(resumed.keptEpoch(afterStage: 2)?.epoch, lowest(2))
        XCTAssertEqual(resumed.keptEpoch(afterStage: 2)?.epoch, resumed.bestEpoch?.epoch)
    }
}
