import Foundation
import GraftCore
import GraftData
import GraftModels
import GraftOptim
@testable import GraftTraining
import XCTest

/// `--optimizer`, `--weight-decay`, `--momentum`, `--schedule one-cycle|step`, `--monitor` and
/// reduce-on-plateau, from the hand-computed step to a resumed run.
final class OptimizationKnobTests: TrainingTestCase {
    /// One parameter p = (1, -2) with gradient (0.5, 0.25) at every step.
    private func twoSteps(_ options: TrainingOptions, learningRate: Float = 0.1) -> [Float] {
        let p = Tensor(shape: [2], values: [1, -2], requiresGrad: true)
        let optimizer = options.makeOptimizer(groups: [ParameterGroup(name: "default", parameters: [("p", p)])], learningRate: learningRate)
        for _ in 0..<2 {
            optimizer.zeroGrad()
            p.backward(gradient: Tensor(shape: [2], values: [0.5, 0.25]))
            optimizer.step()
        }
        return p.values
    }

    private func assertClose(_ actual: [Float], _ expected: [Double], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, file: file, line: line)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(Double(a), e, accuracy: 1e-6, file: file, line: line) }
    }

    func testEachOptimizerTakesPyTorchsStepWithWeightDecayAndMomentum() {
        var options = TrainingOptions()
        options.optimizer = .sgd
        options.momentum = 0.9
        options.weightDecay = 0.01
        // SGD: d = g + wd p; buffer = d, then 0.9 buffer + d; p -= lr buffer.
        var p = [1.0, -2.0], buffer = [0.0, 0.0]
        for step in 0..<2 {
            for i in 0..<2 {
                let d = [0.5, 0.25][i] + 0.01 * p[i]
                buffer[i] = step == 0 ? d : 0.9 * buffer[i] + d
                p[i] -= 0.1 * buffer[i]
            }
        }
        assertClose(twoSteps(options), p)
        XCTAssertEqual(p[0], 0.852151, accuracy: 1e-6)

        // Adam and AdamW: with a constant gradient every bias-corrected step is lr * g / (|g| + eps).
        func adam(decoupled: Bool) -> [Double] {
            var p = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
            for t in 1...2 {
                for i in 0..<2 {
                    var g = [0.5, 0.25][i]
                    if decoupled { p[i] *= 1 - 0.1 * 0.01 } else { g += 0.01 * p[i] }
                    m[i] = 0.9 * m[i] + 0.1 * g
                    v[i] = 0.999 * v[i] + 0.001 * g * g
                    let mHat = m[i] / (1 - pow(0.9, Double(t))), vHat = v[i] / (1 - pow(0.999, Double(t)))
                    p[i] -= 0.1 * mHat / (vHat.squareRoot() + 1e-8)
                }
            }
            return p
        }
        options.momentum = 0
        options.optimizer = .adam
        assertClose(twoSteps(options), adam(decoupled: false))
        options.optimizer = .adamw
        assertClose(twoSteps(options), adam(decoupled: true))
        // AdamW's default decay is PyTorch's 0.01; Adam's and SGD's, none.
        options.weightDecay = nil
        XCTAssertEqual(options.resolvedWeightDecay, 0.01)
        options.optimizer = .adam
        XCTAssertEqual(options.resolvedWeightDecay, 0)
        XCTAssertTrue(options.makeOptimizer(groups: [], learningRate: 1e-3) is Adam)
        XCTAssertFalse(options.makeOptimizer(groups: [], learningRate: 1e-3) is AdamW)
    }

    func testOneCycleAndStepSchedulesGiveTheirRatesAtKnownSteps() {
        var options = TrainingOptions()
        options.schedule = .oneCycle
        // 100 steps: from 1e-3 / 25 up to 1e-3 at step 24 (a quarter, less one), then down to 1e-3 / 25 / 1e5.
        let cycle = options.learningRateSchedule(learningRate: 1e-3, totalSteps: 100, stepsPerEpoch: 10)
        XCTAssertEqual(cycle.learningRate(at: 0), 4e-5, accuracy: 1e-10)
        XCTAssertEqual(cycle.learningRate(at: 24), 1e-3, accuracy: 1e-10)
        XCTAssertEqual(cycle.learningRate(at: 99), 4e-10, accuracy: 1e-13)
        XCTAssertEqual(Double(cycle.learningRate(at: 12)), 4e-5 + (1e-3 - 4e-5) / 2, accuracy: 1e-8, "half-way up the cosine")

        options.schedule = .step
        // 6 epochs of 10 steps: by default a decay every third of the stage (2 epochs), × 0.1.
        let step = options.learningRateSchedule(learningRate: 1e-2, totalSteps: 60, stepsPerEpoch: 10)
        XCTAssertEqual(step.learningRate(at: 19), 1e-2)
        XCTAssertEqual(step.learningRate(at: 20), 1e-3, accuracy: 1e-10)
        XCTAssertEqual(step.learningRate(at: 40), 1e-4, accuracy: 1e-11)
        options.stepDecayEpochs = 1
        options.stepDecayFactor = 0.5
        let halving = options.learningRateSchedule(learningRate: 1e-2, totalSteps: 60, stepsPerEpoch: 10)
        XCTAssertEqual((0..<6).map { halving.learningRate(at: $0 * 10) }, [1e-2, 5e-3, 2.5e-3, 1.25e-3, 6.25e-4, 3.125e-4])
    }

    func testPlateauReductionReplaysKerasReduceLROnPlateau() {
        let halve = PlateauReduction(factor: 0.5, patience: 2)
        let losses = [1, 0.9, 0.95, 0.92, 0.8, 0.85, 0.86]
        // Two epochs without a lower value (0.95, 0.92) halve the rate; the counter restarts, and
        // after 0.8 two more (0.85, 0.86) halve it again.
        XCTAssertEqual((0...losses.count).map { halve.scale(afterScores: Array(losses.prefix($0))) }, [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25])
        // min_delta: an improvement smaller than 1e-4 is none.
        XCTAssertEqual(PlateauReduction(factor: 0.5, patience: 1).scale(afterScores: [1, 0.99995]), 0.5)
        // cooldown: two epochs after a reduction do not count.
        XCTAssertEqual(PlateauReduction(factor: 0.5, patience: 1, cooldown: 2).scale(afterScores: [1, 1, 1]), 0.5)
        XCTAssertEqual(PlateauReduction(factor: 0.5, patience: 1, cooldown: 2).scale(afterScores: [1, 1, 1, 1]), 0.25)
        // The accuracy as a score: higher is better.
        let record = { (accuracy: Double) in
            EpochRecord(epoch: 1, stage: 1, loss: 1, accuracy: 0.5, validationLoss: 2, validationAccuracy: accuracy, learningRate: 1e-3,
                        seconds: 1, imagesPerSecond: 1, cachedFeatures: false)
        }
        XCTAssertLessThan(Monitor.validationAccuracy.score(record(0.9)), Monitor.validationAccuracy.score(record(0.8)))
        XCTAssertEqual(Monitor.validationLoss.score(record(0.9)), 2)
    }

    /// Options whose every later epoch is a plateau (no improvement is larger than 10), so the
    /// rate halves after each epoch from the second on.
    private func knobOptions() -> TrainingOptions {
        var options = options(headEpochs: 2, fineTuneEpochs: 3)
        options.schedule = .constant
        options.optimizer = .sgd
        options.momentum = 0.9
        options.weightDecay = 1e-4
        options.monitor = .validationAccuracy
        options.reduceOnPlateau = PlateauReduction(factor: 0.5, patience: 1, minDelta: 10)
        return options
    }

    func testReduceOnPlateauLowersTheRateAfterEachPlateauAndEachStageStartsAtItsOwn() throws {
        let data = try dataset()
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation,
                                  options: knobOptions())
        var notes: [String] = []
        trainer.onMessage = { notes.append($0) }
        let history = try trainer.fit()
        XCTAssertEqual(history.map(\.learningRate), [1e-2, 1e-2, 1e-3, 1e-3, 5e-4].map { Double(Float($0)) })
        XCTAssertTrue(notes.contains { $0.contains("stage 2: no improvement of the validation accuracy for 1 epochs; learning rate 1.00e-03 → 5.00e-04") },
                      "\(notes)")
    }

    func testMonitorValidationAccuracyKeepsTheMostAccurateEpoch() throws {
        let data = try dataset()
        var options = options(headEpochs: 3, fineTuneEpochs: 2)
        options.monitor = .validationAccuracy
        let trainer = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation, options: options)
        let history = try trainer.fit()
        for stage in 1...2 {
            let candidates = history.filter { $0.stage <= stage }
            let best = candidates.first { $0.validationAccuracy == candidates.map { $0.validationAccuracy! }.max() }!
            XCTAssertEqual(trainer.keptEpoch(afterStage: stage)?.epoch, best.epoch, "stage \(stage): \(history.map { $0.validationAccuracy! })")
        }
        // Its report says so.
        let rows = TrainingReport.configuration(of: trainer.classifier, options: options, trainingImages: 24, validationImages: 12)
        XCTAssertEqual(rows.first { $0.name == "weights kept" }?.value, "each stage's epoch with the highest validation accuracy")
    }

    func testAResumedRunWithEveryOptimizationKnobReachesTheUninterruptedWeights() throws {
        let data = try dataset()
        var options = knobOptions()
        options.schedule = .step
        options.stepDecayEpochs = 1
        let whole = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation, options: options)
        let expected = try whole.fit()

        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let interrupted = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation, options: options)
        interrupted.checkpointDirectory = directory
        var batches = 0
        // In the third fine-tuning epoch (3 batches per epoch), which starts with a reduction of the rate.
        interrupted.shouldStop = { batches += 1; return batches == 14 }
        XCTAssertThrowsError(try interrupted.fit())
        let saved = try OptimizerState.read(from: directory.appendingPathComponent("optimizer.json"))
        XCTAssertEqual(saved.optimizer, "SGD")
        let resumed = try Trainer(classifier: try makeClassifier(seed: 99), trainingSet: data.train, validationSet: data.validation,
                                  options: options)
        resumed.checkpointDirectory = directory
        let history = try resumed.fit(resume: true)
        XCTAssertEqual(history.map(\.learningRate), expected.map(\.learningRate))
        XCTAssertEqual(history.map(\.validationAccuracy), expected.map(\.validationAccuracy))
        XCTAssertEqual(state(resumed.classifier), state(whole.classifier))
        // Another optimizer is another run: refused, naming the setting.
        var other = options
        other.optimizer = .adamw
        other.momentum = 0
        let mismatched = try Trainer(classifier: try makeClassifier(), trainingSet: data.train, validationSet: data.validation, options: other)
        mismatched.checkpointDirectory = directory
        XCTAssertThrowsError(try mismatched.fit(resume: true)) { XCTAssertTrue("\($0)".contains("AdamW"), "\($0)") }
    }

    func testOutOfRangeOptimizationSettingsAreRefusedByName() {
        let cases: [(String, (inout TrainingOptions) -> Void)] = [
            ("weightDecay", { $0.weightDecay = -1 }),
            ("momentum", { $0.optimizer = .sgd; $0.momentum = 1 }),
            ("momentum", { $0.optimizer = .adam; $0.momentum = 0.9 }),
            ("reduceOnPlateau.patience", { $0.reduceOnPlateau = PlateauReduction(patience: 0) }),
            ("reduceOnPlateau.factor", { $0.reduceOnPlateau = PlateauReduction(factor: 1) }),
            ("reduceOnPlateau.factor", { $0.reduceOnPlateau = PlateauReduction(factor: 0) }),
            ("reduceOnPlateau.minimumLearningRate", { $0.reduceOnPlateau = PlateauReduction(minimumLearningRate: .nan) }),
            ("stepDecayEpochs", { $0.stepDecayEpochs = 0 }),
            ("stepDecayFactor", { $0.stepDecayFactor = 2 }),
        ]
        for (name, change) in cases {
            var options = TrainingOptions()
            change(&options)
            XCTAssertThrowsError(try options.validate(), name) { XCTAssertEqual(($0 as? InvalidSetting)?.name, name) }
        }
    }
}
