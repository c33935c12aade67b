import Foundation
import GraftCore
import GraftOptim
@testable import GraftTraining
import XCTest

/// Notes what backward hands over, and checks at each synchronization that it was all of it,
/// final, and not yet used by the optimizer.
private final class RecordingSynchronizer: GradientSynchronizer {
    var ready: [(name: String, values: [Float], gradient: [Float])] = []
    var steps: [[String]] = []
    var prepared: [[String]] = []
    var failures: [String] = []

    func gradientReady(_ parameter: NamedParameter) {
        ready.append((parameter.name, parameter.tensor.values, parameter.tensor.grad?.values ?? []))
    }

    func synchronizeGradients() throws {
        for entry in ready {
            guard let parameter = trainable[entry.name] else { failures.append("\(entry.name) is not trainable"); continue }
            if parameter.values != entry.values { failures.append("\(entry.name) changed before the optimizer") }
            if parameter.grad?.values != entry.gradient { failures.append("\(entry.name)'s gradient changed after it was ready") }
        }
        steps.append(ready.map(\.name))
        ready = []
    }

    func prepare(_ parameters: [NamedParameter]) {
        prepared.append(parameters.map(\.name))
    }

    var trainable: [String: Tensor] = [:]
}

final class GradientSynchronizerTests: TrainingTestCase {
    func testEveryTrainableGradientIsReadyOncePerStepBeforeTheOptimizerAndNoFrozenOne() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        var options = options(headEpochs: 1, fineTuneEpochs: 1)
        options.cacheFeatures = false
        let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options)
        let synchronizer = RecordingSynchronizer()
        trainer.gradientSynchronizer = synchronizer
        final class TrackTrainable: TrainingObserver {
            let synchronizer: RecordingSynchronizer
            init(_ synchronizer: RecordingSynchronizer) { self.synchronizer = synchronizer }
            func stageWillStart(_ stage: Int, trainer: Trainer) throws {
                synchronizer.trainable = Dictionary(uniqueKeysWithValues: trainer.classifier.namedParameters().filter(\.tensor.requiresGrad))
            }
        }
        trainer.observers.insert(TrackTrainable(synchronizer), at: 0)
        let before = state(classifier)
        try trainer.fit()

        XCTAssertEqual(synchronizer.failures, [])
        // 24 images in batches of 8: three steps an epoch.
        XCTAssertEqual(synchronizer.steps.count, 6)
        // Each stage's step told it what it trains, before any gradient.
        XCTAssertEqual(synchronizer.prepared.count, 2)
        XCTAssertEqual(Set(synchronizer.prepared.last ?? []), Set(synchronizer.trainable.keys))
        let head = Set(classifier.head.namedParameters(prefix: "head.").map(\.name))
        for (i, names) in synchronizer.steps.enumerated() {
            XCTAssertEqual(names.count, Set(names).count, "a gradient was reported twice in step \(i)")
            if i < 3 {
                XCTAssertEqual(Set(names), head, "stage 1 trains the head alone")
            } else {
                XCTAssertEqual(Set(names), Set(synchronizer.trainable.keys), "stage 2")
                XCTAssertTrue(head.isSubset(of: Set(names)))
                XCTAssertGreaterThan(names.count, head.count)
            }
        }
        // The head's gradients are final first: backward reaches it before the backbone.
        XCTAssertTrue(head.contains(synchronizer.steps[3][0]), synchronizer.steps[3][0])
        // Frozen parameters were never reported, and never moved.
        let reported = Set(synchronizer.steps.joined())
        for (name, values) in before where !reported.contains(name) && !name.contains("running_") {
            XCTAssertEqual(state(classifier)[name], values, "\(name) is frozen but changed")
        }
    }

    func testASynchronizerThatDoesNothingLeavesTheResultUnchanged() throws {
        let data = try dataset()
        var results: [[String: [Float]]] = []
        for synchronized in [false, true] {
            let classifier = try makeClassifier()
            let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation,
                                      options: options(headEpochs: 1, fineTuneEpochs: 1))
            if synchronized { trainer.gradientSynchronizer = RecordingSynchronizer() }
            try trainer.fit()
            results.append(state(classifier))
        }
        XCTAssertEqual(results[0], results[1])
    }

    func testRunningTotalsAddUpAcrossWorkers() {
        var a = RunningTotals(), b = RunningTotals()
        a.add(loss: 0.5, logits: [1, 0, 0, 1], labels: [0, 0])
        b.add(loss: 1.5, logits: [0, 1], labels: [1])
        let merged = a.merged(with: b)
        XCTAssertEqual(merged.count, 3)
        XCTAssertEqual(merged.correct, 2)
        XCTAssertEqual(merged.meanLoss, (0.5 * 2 + 1.5) / 3, accuracy: 1e-12)
        XCTAssertEqual(RunningTotals(summed: merged.summed), merged)
    }
}
