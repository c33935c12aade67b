import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

final class SavedModelTests: TrainingTestCase {
    func testSavedModelReloadsAndPredictsIdentically() throws {
        let data = try dataset()
        let classifier = try makeClassifier()
        try Trainer(classifier: classifier, trainingSet: data.train, validationSet: nil,
                    options: options(headEpochs: 1, fineTuneEpochs: 0)).fit()
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeModel(classifier)
        let reloaded = try ImageClassifier.load(from: outputs.modelDirectory)
        XCTAssertEqual(reloaded.classNames, classifier.classNames)
        XCTAssertEqual(reloaded.preprocessing, classifier.preprocessing)
        XCTAssertEqual(try reloaded.predictLogits(on: data.validation!).logits, try classifier.predictLogits(on: data.validation!).logits)
    }

    /// `--resize pad`: the letterbox rule is written to config.json, read back, used for
    /// prediction, and named in the report.
    func testAResizeRuleIsSavedAndUsedAfterReloading() throws {
        let data = try dataset()
        let backbone = BackboneKind.mobileNetV2.makeFeatureExtractor(seed: 3)
        let classifier = ImageClassifier(backbone: backbone, kind: .mobileNetV2, classNames: data.classNames, head: HeadConfiguration(),
                                         preprocessing: backbone.preprocessing.resized(to: 32).resizing(.pad), seed: 7)
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeModel(classifier)
        let config = try String(contentsOf: outputs.modelDirectory.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"resize\" : \"pad\""), config)
        let reloaded = try ImageClassifier.load(from: outputs.modelDirectory)
        XCTAssertEqual(reloaded.preprocessing.resize, .pad)
        XCTAssertEqual(reloaded.preprocessing, classifier.preprocessing)
        XCTAssertEqual(try reloaded.predictLogits(on: data.validation!).logits, try classifier.predictLogits(on: data.validation!).logits)
        let entries = TrainingReport.configuration(of: reloaded, options: TrainingOptions(), trainingImages: 1, validationImages: nil)
        XCTAssertEqual(entries.first { $0.name == "resize" }?.value, "the whole image, letterboxed on black (aspect ratio kept)")
        let plain = TrainingReport.configuration(of: try makeClassifier(), options: TrainingOptions(), trainingImages: 1, validationImages: nil)
        XCTAssertNil(plain.first { $0.name == "resize" }, "the backbone's own rule is not shown")
    }

    /// `--interpolation bilinear` on EfficientNet-Lite (whose own filter is bicubic), enlarging
    /// the 32-pixel images to 48: the filter is written to config.json, read back, used for prediction, and named in the report.
    func testAnInterpolationIsSavedAndUsedAfterReloading() throws {
        let data = try dataset()
        let backbone = BackboneKind.efficientNetLite0.makeFeatureExtractor(seed: 3)
        XCTAssertEqual(backbone.preprocessing.filter, .bicubic)
        let classifier = ImageClassifier(backbone: backbone, kind: .efficientNetLite0, classNames: data.classNames,
                                         imageSize: 48, resize: .stretch, interpolation: .bilinear, seed: 7)
        XCTAssertEqual(classifier.preprocessing.filter, .bilinear)
        XCTAssertEqual(classifier.preprocessing.resize, .stretch)
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeModel(classifier)
        let config = try String(contentsOf: outputs.modelDirectory.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"filter\" : \"bilinear\""), config)
        let reloaded = try ImageClassifier.load(from: outputs.modelDirectory)
        XCTAssertEqual(reloaded.preprocessing, classifier.preprocessing)
        XCTAssertEqual(try reloaded.predictLogits(on: data.validation!).logits, try classifier.predictLogits(on: data.validation!).logits)
        let bicubic = ImageClassifier(backbone: backbone, kind: .efficientNetLite0, classNames: data.classNames,
                                      imageSize: 48, resize: .stretch, seed: 7)
        XCTAssertNotEqual(try bicubic.predictLogits(on: data.validation!).logits, try classifier.predictLogits(on: data.validation!).logits,
                          "the filter reaches the pixels")
        let entries = TrainingReport.configuration(of: reloaded, options: TrainingOptions(), trainingImages: 1, validationImages: nil)
        XCTAssertEqual(entries.first { $0.name == "interpolation" }?.value, "bilinear")
        let plain = TrainingReport.configuration(of: bicubic, options: TrainingOptions(), trainingImages: 1, validationImages: nil)
        XCTAssertNil(plain.first { $0.name == "interpolation" }, "the backbone's own filter is not shown")
    }

    func testBadConfigurationNamesFileAndKey() throws {
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeModel(try makeClassifier())
        let config = outputs.modelDirectory.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "mobilenetv2", with: "alexnet")
        try text.write(to: config, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageClassifier.load(from: outputs.modelDirectory)) { error in
            XCTAssertTrue("\(error)".contains("config.json: invalid value alexnet for 'backbone'"), "\(error)")
        }
    }

    func testHistoryFilesAreWellFormed() throws {
        let records = [
            EpochRecord(epoch: 1, stage: 1, loss: 1.2, accuracy: 0.5, validationLoss: 1.1, validationAccuracy: 0.6,
                        learningRate: 1e-3, seconds: 2, imagesPerSecond: 100, cachedFeatures: true),
            EpochRecord(epoch: 2, stage: 2, loss: 0.7, accuracy: 0.8, validationLoss: nil, validationAccuracy: nil,
                        learningRate: 1e-5, seconds: 3, imagesPerSecond: 50, cachedFeatures: false),
        ]
        let outputs = RunOutputs(directory: temporaryDirectory())
        try outputs.writeHistory(records)
        let decoded = try JSONDecoder().decode([EpochRecord].self, from: Data(contentsOf: outputs.historyJSON))
        XCTAssertEqual(decoded, records)
        let csv = try String(contentsOf: outputs.historyCSV, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv[0], "epoch,stage,loss,accuracy,val_loss,val_accuracy,lr,seconds")
        XCTAssertEqual(csv[2], "2,2,0.7,0.8,,,1e-05,3.0")
        let svg = try String(contentsOf: outputs.curves, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("start fine-tuning"))
    }

    func testEvaluationMatchesAHandComputation() {
        // Two classes, three images: predicted 0, 1, 1; true 0, 0, 1.
        let report = EvaluationReport(logits: [2, 0, 0, 1, 0, 3], labels: [0, 0, 1], classNames: ["a", "b"], topK: 1)
        XCTAssertEqual(report.confusionMatrix, [[1, 1], [0, 1]])
        XCTAssertEqual(report.accuracy, 2.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(report.perClass[0].precision, 1)
        XCTAssertEqual(report.perClass[0].recall, 0.5)
        XCTAssertEqual(report.perClass[1].precision, 0.5)
        XCTAssertEqual(report.perClass[1].f1, 2 * 0.5 * 1 / 1.5, accuracy: 1e-12)
        let expectedLoss = (log(1 + exp(-2.0)) + log(1 + exp(1.0)) + log(1 + exp(-3.0))) / 3
        XCTAssertEqual(report.loss, expectedLoss, accuracy: 1e-9)
    }
}
