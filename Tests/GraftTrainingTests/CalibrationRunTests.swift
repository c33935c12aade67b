import Foundation
import GraftCore
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

/// A training run calibrates the model it saves: the temperature fitted on the validation
/// images' logits of the kept weights goes into config.json with its ECE and NLL before and
/// after, the report and reliability.svg show it, and predict and evaluate use it. Off, or
/// without validation images, nothing is fitted; a config.json without the field loads at T = 1.
final class CalibrationRunTests: TrainingTestCase {
    private func config(_ outputs: RunOutputs) throws -> [String: Any] {
        let url = outputs.modelDirectory.appendingPathComponent("config.json")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func testARunFitsTheTemperatureOfItsKeptWeightsSavesItAndChangesNoWeight() throws {
        let data = try dataset()
        func run(_ method: CalibrationMethod) throws -> (TrainingRun, TrainingSummary) {
            var options = options(headEpochs: 2, fineTuneEpochs: 1)
            options.calibration = method
            let run = try TrainingRun(data: data, classifier: try makeClassifier(), options: options,
                                      outputs: RunOutputs(directory: temporaryDirectory()))
            return (run, try run.fit())
        }
        let (calibrated, summary) = try run(.temperature)
        let outputs = try XCTUnwrap(calibrated.outputs)
        defer { try? FileManager.default.removeItem(at: outputs.directory) }

        // Fitted on the kept weights' validation logits, those the classifier gives now.
        let held = try calibrated.classifier.predictLogits(on: data.validation!)
        let expected = Calibration(fittingLogits: held.logits, labels: held.labels, classes: 3)
        let calibration = try XCTUnwrap(calibrated.classifier.calibration)
        XCTAssertEqual(calibration.temperature, expected.temperature, accuracy: 1e-4 * expected.temperature)
        XCTAssertNotEqual(calibration.temperature, 1)
        XCTAssertEqual(calibration.validationImages, data.validation!.count)
        XCTAssertLessThanOrEqual(calibration.negativeLogLikelihoodAfter, calibration.negativeLogLikelihoodBefore)
        print("tiny run: " + calibration.summary)

        let saved = try XCTUnwrap(try config(outputs)["calibration"] as? [String: Any])
        XCTAssertEqual(saved["method"] as? String, "temperature")
        // JSONSerialization reads numbers to within an ulp; JSONDecoder, below, reads them back exactly.
        XCTAssertEqual(try XCTUnwrap(saved["temperature"] as? Double), calibration.temperature, accuracy: 1e-14)
        for key in ["nll_before", "nll_after", "ece_before", "ece_after", "validation_images"] { XCTAssertNotNil(saved[key], key) }
        let reloaded = try ImageClassifier.load(from: outputs.modelDirectory)
        XCTAssertEqual(reloaded.calibration, calibration)

        // The summary, the report and the diagram say it.
        XCTAssertEqual(summary.calibration, calibration)
        XCTAssertNotNil(summary.calibrationSeconds)
        XCTAssertTrue(summary.description.contains("calibration: temperature"), summary.description)
        XCTAssertTrue(summary.description.contains("reliability diagram: \(outputs.reliability.path)"), summary.description)
        let html = try String(contentsOf: outputs.report, encoding: .utf8)
        XCTAssertTrue(html.contains("<h2>Calibration</h2>"))
        XCTAssertTrue(html.contains(TrainingReport.number(calibration.expectedCalibrationErrorBefore)))
        XCTAssertTrue(html.contains(TrainingReport.number(calibration.expectedCalibrationErrorAfter)))
        let svg = try String(contentsOf: outputs.reliability, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("before (T = 1)") && svg.contains("after (T = "), svg)
        XCTAssertTrue(html.contains(svg.trimmingCharacters(in: .newlines)), "the report shows the same diagram")

        // Deterministic: a second run writes the same config.json, byte for byte; switched off,
        // the same weights and no calibration at all.
        let (again, _) = try run(.temperature)
        let (off, offSummary) = try run(.none)
        defer { for run in [again, off] { try? FileManager.default.removeItem(at: run.outputs!.directory) } }
        let file = { (run: TrainingRun) in try Data(contentsOf: run.outputs!.modelDirectory.appendingPathComponent("config.json")) }
        XCTAssertEqual(try file(again), try file(calibrated))
        XCTAssertEqual(state(off.classifier), state(calibrated.classifier))
        XCTAssertEqual(try Data(contentsOf: off.outputs!.modelDirectory.appendingPathComponent("model.safetensors")),
                       try Data(contentsOf: outputs.modelDirectory.appendingPathComponent("model.safetensors")))
        XCTAssertNil(off.classifier.calibration)
        XCTAssertNil(try config(off.outputs!)["calibration"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: off.outputs!.reliability.path))
        XCTAssertTrue(offSummary.calibrationNote.contains("switched off"), offSummary.calibrationNote)
        XCTAssertTrue(try String(contentsOf: off.outputs!.report, encoding: .utf8).contains("Switched off"))
    }

    func testWithoutValidationImagesNothingIsFittedAndTheRunSaysSo() throws {
        _ = try dataset()
        let split = try ImageFolder(root: Self.root!.appendingPathComponent("train"), options: ImageFolderOptions(validationFraction: 0))
        XCTAssertNil(split.validation)
        let run = try TrainingRun(data: split, classifier: try makeClassifier(), options: options(headEpochs: 1, fineTuneEpochs: 0),
                                  outputs: RunOutputs(directory: temporaryDirectory()))
        defer { try? FileManager.default.removeItem(at: run.outputs!.directory) }
        XCTAssertTrue(run.notes.contains { $0.contains("no validation images to fit a temperature on") }, "\(run.notes)")
        let summary = try run.fit()
        XCTAssertNil(run.classifier.calibration)
        XCTAssertTrue(summary.description.contains("calibration: no validation images"), summary.description)
        XCTAssertNil(try config(run.outputs!)["calibration"])
        XCTAssertTrue(try String(contentsOf: run.outputs!.report, encoding: .utf8).contains("No validation images to fit a temperature on"))
    }

    func testPredictAndEvaluateUseTheTemperatureAndAccuracyStaysTheSame() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        try Trainer(classifier: classifier, trainingSet: data.train, validationSet: nil, options: options(headEpochs: 1, fineTuneEpochs: 0)).fit()
        let images = try data.validation!.samples.prefix(5).map { try ImageDecoder.decode(contentsOf: $0.url) }
        let plain = classifier.predict(images, top: 3)
        let plainReport = try classifier.evaluate(on: data.validation!)

        let (logits, labels) = try classifier.predictLogits(on: data.validation!)
        classifier.calibration = Calibration(temperature: 2.5, logits: logits, labels: labels, classes: 3)
        let predicted = classifier.predict(images, top: 3)
        let transform = ImageTransform(preprocessing: classifier.preprocessing)
        let batch = Tensor(shape: [5, 3, 32, 32], values: images.flatMap { transform.render($0, seed: 0) })
        let raw = classifier.logits(batch).values
        XCTAssertEqual(classifier.calibratedLogits(batch).values, raw.map { $0 / 2.5 })
        for (row, ranked) in predicted.enumerated() {
            let expected = softmaxProbabilities(raw[(row * 3)..<(row * 3 + 3)].map { $0 / 2.5 }[...])
            for prediction in ranked {
                XCTAssertEqual(Double(prediction.probability), expected[prediction.index], accuracy: 1e-6)
            }
            XCTAssertEqual(ranked.map(\.index), plain[row].map(\.index), "the order of the classes does not change")
        }
        let report = try classifier.evaluate(on: data.validation!)
        XCTAssertEqual(report.accuracy, plainReport.accuracy)
        XCTAssertEqual(report.confusionMatrix, plainReport.confusionMatrix)
        XCTAssertEqual(report.loss, EvaluationReport(logits: logits.map { $0 / 2.5 }, labels: labels, classNames: data.classNames).loss,
                       accuracy: 1e-9)
        XCTAssertNotEqual(report.loss, plainReport.loss)
    }

    func testAConfigWithoutCalibrationLoadsAtTemperatureOneAndABadOneIsNamed() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        let (logits, labels) = try classifier.predictLogits(on: data.validation!)
        classifier.calibration = Calibration(temperature: 1.8, logits: logits, labels: labels, classes: 3)
        let outputs = RunOutputs(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: outputs.directory) }
        try outputs.writeModel(classifier)
        let url = outputs.modelDirectory.appendingPathComponent("config.json")
        let written = try String(contentsOf: url, encoding: .utf8)

        // As Graft wrote it before calibration existed: the same file without the field.
        var old = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any])
        old["calibration"] = nil
        try JSONSerialization.data(withJSONObject: old, options: [.sortedKeys]).write(to: url)
        let uncalibrated = try ImageClassifier.load(from: outputs.modelDirectory)
        XCTAssertNil(uncalibrated.calibration)
        XCTAssertEqual(uncalibrated.temperature, 1)
        XCTAssertEqual(try uncalibrated.predictLogits(on: data.validation!).logits, logits)
        XCTAssertEqual(try uncalibrated.evaluate(on: data.validation!).loss,
                       EvaluationReport(logits: logits, labels: labels, classNames: data.classNames).loss, accuracy: 1e-12)

        for (bad, message) in [("-1", "'calibration.temperature' is -1.0; it must be a finite number in (0, 1000]"),
                               ("0", "'calibration.temperature' is 0.0"), ("1e9", "'calibration.temperature' is 1000000000.0"),
                               ("\"hot\"", "calibration.temperature is not a Double")] {
            let text = written.replacingOccurrences(of: "\"temperature\" : 1.8", with: "\"temperature\" : \(bad)")
            XCTAssertNotEqual(text, written)
            try text.write(to: url, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try ImageClassifier.load(from: outputs.modelDirectory), bad) { error in
                XCTAssertTrue("\(error)".contains("config.json") && "\(error)".contains(message), "\(error)")
            }
        }
        let method = written.replacingOccurrences(of: "\"method\" : \"temperature\"", with: "\"method\" : \"platt\"")
        try method.write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageClassifier.load(from: outputs.modelDirectory)) { error in
            XCTAssertTrue("\(error)".contains("calibration.method"), "\(error)")
        }
    }
}
