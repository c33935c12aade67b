import Foundation
import GraftData
import GraftModels
import GraftTestSupport
@testable import GraftTraining
import XCTest

final class TestTimeAugmentationTests: TrainingTestCase {
    func testViewsAreAveragedAsProbabilities() {
        // Two images, three classes; view B is very sure of class 2 for the first image.
        let a: [Float] = [0, 0, 0, 1, 0, 0], b: [Float] = [0, 0, 10, 1, 0, 0]
        let averaged = averagedOverViews([a, b], classes: 3)
        let pa = softmaxProbabilities(a[0..<3]), pb = softmaxProbabilities(b[0..<3])
        let mean = softmaxProbabilities(averaged[0..<3])
        for i in 0..<3 { XCTAssertEqual(mean[i], (pa[i] + pb[i]) / 2, accuracy: 1e-6) }
        XCTAssertEqual(Array(averaged[3..<6]), Array(averagedOverViews([a], classes: 3)[3..<6]), "equal views average to themselves")
        XCTAssertEqual(softmaxProbabilities(averagedOverViews([a], classes: 3)[3..<6]), softmaxProbabilities(a[3..<6]).map { $0 },
                       "one view: its own probabilities")
    }

    /// The plain report inside a test-time evaluation is `evaluate`'s, the augmented one is the
    /// same on every run, and the predictions of `predict` agree with it.
    func testAugmentedEvaluationIsDeterministicAndKeepsThePlainReport() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        let validation = try XCTUnwrap(data.validation)
        let plain = try classifier.evaluate(on: validation, topK: 1)
        for augmentation in TestTimeAugmentation.allCases {
            let first = try classifier.evaluate(on: validation, topK: 1, augmentation: augmentation)
            XCTAssertEqual(first.plain, plain)
            XCTAssertEqual(first.views, augmentation.views.count)
            XCTAssertEqual(try classifier.evaluate(on: validation, topK: 1, augmentation: augmentation), first)
            XCTAssertNotEqual(first.augmented.loss, plain.loss, "\(augmentation) changed nothing")

            let files = validation.samples.map(\.url)
            let predicted = classifier.predict(files: files, top: 1, augmentation: augmentation).compactMap { try? $0.get() }
            let (views, _) = try classifier.viewLogits(on: validation, augmentation: augmentation)
            let expected = topPredictions(logits: averagedOverViews(views, classes: 3), classes: classifier.classNames, k: 1)
            XCTAssertEqual(predicted.map { $0.map(\.index) }, expected.map { $0.map(\.index) })
            for (p, e) in zip(predicted, expected) { XCTAssertEqual(p[0].probability, e[0].probability, accuracy: 1e-5) }
        }
    }

    /// The training report measures the flip's gain on the validation images, as evaluate --tta
    /// measures it on the saved model (no calibration here, so both see the same logits).
    func testTheReportShowsTheGainOfTestTimeAugmentation() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        var options = options(headEpochs: 1, fineTuneEpochs: 0)
        options.calibration = .none
        let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: options)
        try trainer.fit()
        let report = try trainer.report(topK: 1)
        let shown = try XCTUnwrap(report.testTimeAugmentation)
        let evaluated = try classifier.evaluate(on: try XCTUnwrap(data.validation), topK: 1, augmentation: .flip)
        XCTAssertEqual(shown.views, 2)
        XCTAssertEqual(shown.augmented.accuracy, evaluated.augmented.accuracy)
        XCTAssertEqual(shown.augmented.loss, evaluated.augmented.loss, accuracy: 1e-6)
        XCTAssertTrue(report.html.contains("<h2>Test-time augmentation</h2>"))

        var without = options
        without.reportTestTimeAugmentation = nil
        let plain = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation, options: without)
        XCTAssertNil(try plain.report().testTimeAugmentation)
    }

    func testEvaluateAndPredictTakeTTAOnTheCommandLine() throws {
        let graft = try XCTUnwrap(GraftProcess.built(near: Self.self), "make test builds graft beside the tests")
        let data = try dataset().root
        let out = temporaryDirectory()
        let train = try graft.run(["train", data.path, "--out", out.path, "--random-init", "--backbone", "mobilenetv2",
                                   "--image-size", "32", "--batch-size", "8", "--epochs", "1", "--fine-tune-epochs", "0"])
        XCTAssertEqual(train.status, 0, train.output)
        let model = out.appendingPathComponent("model").path
        let evaluate = try graft.run(["evaluate", model, data.path, "--tta", "ten-crop"])
        XCTAssertEqual(evaluate.status, 0, evaluate.output)
        XCTAssertTrue(evaluate.output.contains("test-time augmentation (ten-crop, 10 views): accuracy "), evaluate.output)
        let json = try graft.run(["evaluate", model, data.path, "--tta", "flip", "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let object = try JSONSerialization.jsonObject(with: Data(json.output[json.output.firstIndex(of: "{")!...].utf8)) as? [String: Any]
        XCTAssertEqual(object?["views"] as? Int, 2)
        XCTAssertNotNil(object?["accuracy_gain"] as? Double)
        XCTAssertNotNil((object?["augmented"] as? [String: Any])?["accuracy"])
        let image = data.appendingPathComponent("validation/red/0.png").path
        let predict = try graft.run(["predict", model, image, "--tta", "flip", "--top", "1"])
        XCTAssertEqual(predict.status, 0, predict.output)
        XCTAssertTrue(predict.output.contains("%"), predict.output)
        let refused = try graft.run(["predict", model, image, "--tta", "five"])
        XCTAssertTrue(refused.failedCleanly)
        XCTAssertTrue(refused.output.contains("--tta"), refused.output)
    }
}
