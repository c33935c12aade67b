import Foundation
import GraftData
@testable import GraftTraining
import XCTest

/// Notes every event it is told, in order.
private final class EventRecorder: TrainingObserver {
    var events: [String] = []
    var messages: [String] = []
    var onStageEnd: ((Int, Trainer) throws -> Void)?

    func trainingWillStart(_ trainer: Trainer) throws { events.append("start") }
    func stageWillStart(_ stage: Int, trainer: Trainer) throws { events.append("stage \(stage)") }
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        XCTAssertEqual(trainer.history.last, record)
        events.append("epoch \(record.epoch)")
    }
    func stageDidEnd(_ stage: Int, trainer: Trainer) throws {
        events.append("end of stage \(stage)")
        try onStageEnd?(stage, trainer)
    }
    func trainingDidEnd(_ trainer: Trainer) throws { events.append("end") }
    func message(_ text: String, trainer: Trainer) { messages.append(text) }
}

/// Ends every stage after its first epoch.
private final class OneEpochPerStage: TrainingObserver {
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        trainer.stopStage(reason: "one epoch is enough for stage \(record.stage)")
    }
}

final class ObserverTests: TrainingTestCase {
    func testACustomObserverSeesEveryEventInOrder() throws {
        let data = try dataset()
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: options(headEpochs: 2, fineTuneEpochs: 1))
        let recorder = EventRecorder()
        trainer.observers.append(recorder)
        try trainer.fit()
        XCTAssertEqual(recorder.events, ["start", "stage 1", "epoch 1", "epoch 2", "end of stage 1",
                                         "stage 2", "epoch 3", "end of stage 2", "end"])
        XCTAssertTrue(recorder.messages.contains { $0.hasPrefix("stage 1: computing the backbone features") }, "\(recorder.messages)")
    }

    func testAnObserverCanEndAStage() throws {
        let data = try dataset()
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: options(headEpochs: 3, fineTuneEpochs: 2))
        trainer.observers.append(OneEpochPerStage())
        let recorder = EventRecorder()
        trainer.observers.append(recorder)
        XCTAssertEqual(try trainer.fit().map(\.stage), [1, 2])
        XCTAssertEqual(recorder.messages.filter { $0.hasPrefix("one epoch is enough") }.count, 2)
    }

    /// Validation labels shifted by one class: the better the head learns the colours, the worse
    /// the validation loss, so every epoch after the first fails to improve it.
    private func misleadingValidation(_ data: ImageFolder) throws -> ImageDataset {
        let validation = try XCTUnwrap(data.validation)
        return ImageDataset(classNames: validation.classNames, samples: validation.samples.map {
            LabeledImage(url: $0.url, label: ($0.label + 1) % validation.classNames.count)
        })
    }

    func testEarlyStoppingEndsTheStageAndRemovingItTrainsEveryEpoch() throws {
        let data = try dataset()
        var options = options(headEpochs: 5, fineTuneEpochs: 0)
        options.earlyStoppingPatience = 2
        let validation = try misleadingValidation(data)
        let stopping = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: validation, options: options)
        XCTAssertTrue(stopping.observers.contains { $0 is EarlyStopping })
        let recorder = EventRecorder()
        stopping.observers.append(recorder)
        let stopped = try stopping.fit()
        XCTAssertEqual(stopped.count, 3, "\(stopped.map(\.summaryLine))")
        XCTAssertTrue(recorder.messages.contains("stage 1: no lower validation loss for 2 epochs; stopping early"), "\(recorder.messages)")

        let everyEpoch = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: validation, options: options)
        everyEpoch.observers.removeAll { $0 is EarlyStopping }
        XCTAssertEqual(try everyEpoch.fit().count, 5)
    }

    func testWithoutBestWeightsEachStageKeepsItsLastEpoch() throws {
        let data = try dataset()
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: try misleadingValidation(data),
                                  options: options(headEpochs: 3, fineTuneEpochs: 0))
        trainer.observers.removeAll { $0 is BestWeights }
        try trainer.fit()
        XCTAssertEqual(trainer.bestEpoch?.epoch, 1)
        XCTAssertEqual(trainer.keptEpoch(afterStage: 1)?.epoch, 3)
    }

    func testATrainingRunWritesItsOutputsAfterEachStageAndSummarizes() throws {
        let data = try dataset()
        let directory = temporaryDirectory()
        let run = try TrainingRun(data: data, classifier: try makeClassifier(), options: options(headEpochs: 1, fineTuneEpochs: 1),
                                  outputs: RunOutputs(directory: directory))
        let recorder = EventRecorder()
        var modelAfterStage: [Int: Bool] = [:]
        recorder.onStageEnd = { stage, _ in
            modelAfterStage[stage] = FileManager.default.fileExists(atPath: run.outputs!.modelDirectory.appendingPathComponent("config.json").path)
        }
        run.observe(recorder)
        let summary = try run.fit()
        XCTAssertEqual(modelAfterStage, [1: true, 2: true])
        for file in [run.outputs!.historyJSON, run.outputs!.historyCSV, run.outputs!.curves, run.outputs!.report] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), file.path)
        }
        XCTAssertTrue(recorder.messages.contains { $0.hasPrefix("stage 1 done: kept epoch 1") }, "\(recorder.messages)")
        XCTAssertEqual(summary.stages.map(\.stage), [1, 2])
        XCTAssertTrue(summary.description.contains("stage 2: validation accuracy"), summary.description)
        XCTAssertTrue(summary.description.contains("model: \(run.outputs!.modelDirectory.path)"), summary.description)
        let reloaded = try ImageClassifier.load(from: run.outputs!.modelDirectory)
        // The backbone's ImageNet classifier never runs, and loading skips it (see ImageClassifier.load).
        let unused = run.classifier.backbone.classifierPrefixes.map { "backbone." + $0 }
        func used(_ state: [String: [Float]]) -> [String: [Float]] { state.filter { entry in !unused.contains { entry.key.hasPrefix($0) } } }
        XCTAssertEqual(used(state(reloaded)), used(state(run.classifier)))
    }
}

extension ObserverTests {
    /// Without `BestWeights` the report and the summary name the last epoch, whose weights are saved.
    func testTheReportNamesTheEpochWhoseWeightsAreKept() throws {
        let data = try dataset()
        var options = options(headEpochs: 3, fineTuneEpochs: 0)
        options.restoreBestWeights = false
        let validation = try XCTUnwrap(data.validation)
        let misleading = ImageDataset(classNames: validation.classNames, samples: validation.samples.map {
            LabeledImage(url: $0.url, label: ($0.label + 1) % validation.classNames.count)
        })
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: misleading, options: options)
        try trainer.fit()
        XCTAssertEqual(trainer.bestEpoch?.epoch, 1)
        XCTAssertEqual(trainer.keptEpoch?.epoch, 3)
        XCTAssertEqual(try trainer.report().keptEpoch?.epoch, 3)
        XCTAssertEqual(TrainingSummary(trainer: trainer, outputs: nil).keptEpoch?.epoch, 3)
    }
}
