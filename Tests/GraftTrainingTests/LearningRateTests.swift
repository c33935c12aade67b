import Foundation
import GraftData
import GraftModels
import GraftOptim
@testable import GraftTraining
import XCTest

final class LearningRateTests: TrainingTestCase {
    func testDiscriminativeRatesHalvePerBlockAwayFromTheHead() throws {
        let classifier = try makeClassifier()
        try classifier.unfreeze(.lastBlocks(3))
        let groups = classifier.trainableParameterGroups(learningRateDecayPerBlock: 0.5)
        let optimizer = Adam(groups: groups, learningRate: 1e-3)
        let blocks = classifier.backbone.blockGroups.suffix(3).map { "backbone." + $0.name }
        XCTAssertEqual(optimizer.groups.map(\.name), ["head"] + blocks.reversed())
        XCTAssertEqual(optimizer.learningRate(ofGroup: "head"), 1e-3)
        XCTAssertEqual(optimizer.learningRate(ofGroup: blocks[2])!, 5e-4, accuracy: 1e-10)
        XCTAssertEqual(optimizer.learningRate(ofGroup: blocks[1])!, 2.5e-4, accuracy: 1e-10)
        XCTAssertEqual(optimizer.learningRate(ofGroup: blocks[0])!, 1.25e-4, accuracy: 1e-10)
        // Every trainable parameter is in exactly one group, and the head group is exactly the head.
        let grouped = optimizer.groups.flatMap(\.parameters).map(\.name)
        XCTAssertEqual(grouped.sorted(), classifier.namedParameters().filter(\.tensor.requiresGrad).map(\.name).sorted())
        XCTAssertEqual(optimizer.groups[0].parameters.map(\.name), classifier.head.namedParameters().map { "head." + $0.name })
        // A schedule moves all groups together.
        optimizer.learningRate = 1e-4
        XCTAssertEqual(optimizer.learningRate(ofGroup: blocks[0])!, 1.25e-5, accuracy: 1e-11)
        // No factor (or 1): one group, as before.
        XCTAssertEqual(classifier.trainableParameterGroups().map(\.name), ["default"])
        XCTAssertEqual(classifier.trainableParameterGroups(learningRateDecayPerBlock: 1).map(\.name), ["default"])
    }

    func testTrainerFineTunesWithTheDiscriminativeGroups() throws {
        let data = try dataset()
        var options = options(headEpochs: 1, fineTuneEpochs: 2)
        options.learningRateDecayPerBlock = 0.5
        options.schedule = .constant
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: options)
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        trainer.checkpointDirectory = directory
        // Stops in the second fine-tuning epoch, so the checkpoint holds the stage-2 optimizer (3 batches per epoch).
        var batches = 0
        trainer.shouldStop = { batches += 1; return batches == 8 }
        XCTAssertThrowsError(try trainer.fit())
        let state = try OptimizerState.read(from: directory.appendingPathComponent("optimizer.json"))
        XCTAssertEqual(state.learningRate, 1e-3)
        XCTAssertEqual(state.groups.map(\.name), ["head", "backbone.head", "backbone.blocks.16"])
        XCTAssertEqual(state.groups.map(\.learningRateScale), [1, 0.5, 0.25])
    }

    func testScheduleChoice() throws {
        var options = TrainingOptions()
        options.schedule = .constant
        let constant = options.learningRateSchedule(learningRate: 1e-3, totalSteps: 100)
        XCTAssertEqual((0...100).map { constant.learningRate(at: $0) }, [Float](repeating: 1e-3, count: 101))

        options.schedule = .cosine
        options.warmupFraction = 0.1
        options.minLearningRateFraction = 0.2
        let cosine = options.learningRateSchedule(learningRate: 1e-3, totalSteps: 100)
        XCTAssertEqual(cosine.learningRate(at: 0), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(cosine.learningRate(at: 10), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(cosine.learningRate(at: 55), 6e-4, accuracy: 1e-9)
        XCTAssertEqual(cosine.learningRate(at: 100), 2e-4, accuracy: 1e-9)
        let decay = (10...100).map { cosine.learningRate(at: $0) }
        XCTAssertEqual(decay, decay.sorted(by: >), "the cosine part only decreases")
        options.minLearningRateFraction = 0
        XCTAssertEqual(options.learningRateSchedule(learningRate: 1e-3, totalSteps: 100).learningRate(at: 100), 0)
    }

    func testConstantScheduleKeepsEachStageRate() throws {
        let data = try dataset()
        var options = options(headEpochs: 2, fineTuneEpochs: 1)
        options.schedule = .constant
        let history = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: options).fit()
        XCTAssertEqual(history.map(\.learningRate), [1e-2, 1e-2, 1e-3].map { Double(Float($0)) })
        // The default: cosine down to a floor, so the last epoch of a stage still learns.
        options.schedule = .cosine
        options.minLearningRateFraction = 0.1
        let cosine = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                 options: options).fit()
        // Each record holds the rate of its epoch's last step: 2 x 3 steps at 1e-2, then 3 at 1e-3.
        XCTAssertEqual(cosine.map(\.learningRate), [
            options.learningRateSchedule(learningRate: 1e-2, totalSteps: 6).learningRate(at: 2),
            options.learningRateSchedule(learningRate: 1e-2, totalSteps: 6).learningRate(at: 5),
            options.learningRateSchedule(learningRate: 1e-3, totalSteps: 3).learningRate(at: 2),
        ].map(Double.init))
        XCTAssertGreaterThan(cosine[1].learningRate, 1e-3)
        XCTAssertLessThan(cosine[1].learningRate, cosine[0].learningRate)
    }
}
