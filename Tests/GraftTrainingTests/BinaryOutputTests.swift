import Foundation
import GraftCore
import GraftData
import GraftModels
import GraftNN
@testable import GraftTraining
import XCTest

final class BinaryOutputTests: TrainingTestCase {
    /// Softmax cross-entropy of [0, z] is binary cross-entropy of z: the value, and the gradient
    /// through TwoClassLogits against central finite differences of the closed form in double.
    func testTwoClassLogitsGiveBinaryCrossEntropyAndItsGradient() {
        let z: [Float] = [-3.1, -0.4, 0, 0.7, 2.5, 5.2]
        let labels = [0, 1, 1, 0, 1, 1]
        for smoothing in [Float(0), 0.1] {
            func bce(_ z: [Double]) -> Double {
                let eps = Double(smoothing)
                return zip(z, labels).map { z, y in
                    let target = (1 - eps) * Double(y) + eps / 2
                    // log(1 + e^z) - target z, written to stay finite for large |z|.
                    return max(z, 0) + Foundation.log(1 + Foundation.exp(-abs(z))) - target * z
                }.reduce(0, +) / Double(z.count)
            }
            let leaf = Tensor(shape: [z.count, 1], values: z, requiresGrad: true)
            let logits = TwoClassLogits()(leaf, context: .inference)
            XCTAssertEqual(logits.shape, [z.count, 2])
            XCTAssertEqual(logits.values, zip([Float](repeating: 0, count: z.count), z).flatMap { [$0, $1] })
            let loss = softmaxCrossEntropy(logits, labels: labels, labelSmoothing: smoothing)
            let exact = bce(z.map(Double.init))
            XCTAssertEqual(Double(loss.item), exact, accuracy: 1e-6)
            loss.backward()
            let gradient = leaf.grad!.values
            let h = 1e-5
            for i in z.indices {
                var plus = z.map(Double.init), minus = z.map(Double.init)
                plus[i] += h
                minus[i] -= h
                let numeric = (bce(plus) - bce(minus)) / (2 * h)
                XCTAssertEqual(Double(gradient[i]), numeric, accuracy: 1e-6, "dL/dz[\(i)], smoothing \(smoothing)")
            }
        }
    }

    func testSigmoidHeadTrainsEvaluatesSavesAndReloadsOnTwoClasses() throws {
        let root = try SyntheticImages.folder(trainPerClass: 8, validationPerClass: 4, classNames: ["cat", "dog"])
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try ImageFolder(root: root)
        let classifier = try makeClassifier(dropout: 0, classNames: data.classNames, output: .sigmoid)
        let output = try XCTUnwrap(classifier.head.namedParameters().last)
        XCTAssertEqual(output.tensor.shape.first, 1, "the last dense layer has one unit")
        XCTAssertTrue(classifier.summary().contains("1 sigmoid"), classifier.summary())

        var options = options(headEpochs: 3, fineTuneEpochs: 1)
        options.restoreBestWeights = false
        let history = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation,
                                  options: options).fit()
        XCTAssertEqual(history.map(\.stage), [1, 1, 1, 2])
        XCTAssertGreaterThan(history.last!.validationAccuracy!, 0.7, "\(history.map(\.summaryLine))")

        let report = try classifier.evaluate(on: data.validation!)
        XCTAssertEqual(report.topK, 2)
        XCTAssertEqual(report.confusionMatrix.count, 2)
        XCTAssertEqual(report.accuracy, history.last!.validationAccuracy!, accuracy: 1e-9)

        let outputs = RunOutputs(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: outputs.directory) }
        try outputs.writeModel(classifier)
        let config = try String(contentsOf: outputs.modelDirectory.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"output\" : \"sigmoid\""), config)
        let reloaded = try ImageClassifier.load(from: outputs.modelDirectory)
        XCTAssertEqual(reloaded.headConfiguration.output, .sigmoid)
        let (logits, _) = try reloaded.predictLogits(on: data.validation!)
        XCTAssertEqual(logits, try classifier.predictLogits(on: data.validation!).logits)
        XCTAssertEqual(stride(from: 0, to: logits.count, by: 2).map { logits[$0] }, [Float](repeating: 0, count: logits.count / 2))

        // Predictions give both classes' probabilities, sigmoid(z / T) for the second: the run
        // fitted a temperature on the validation images, which scales the one logit z.
        XCTAssertEqual(reloaded.temperature, classifier.temperature)
        XCTAssertNotEqual(reloaded.temperature, 1)
        let image = try ImageDecoder.decode(contentsOf: data.validation!.samples[0].url)
        let top = try XCTUnwrap(reloaded.predict([image], top: 5).first)
        XCTAssertEqual(top.count, 2)
        XCTAssertEqual(top.map(\.probability).reduce(0, +), 1, accuracy: 1e-6)
        let z = Double(logits[1]) / reloaded.temperature
        XCTAssertEqual(Double(top.first { $0.index == 1 }!.probability), 1 / (1 + exp(-z)), accuracy: 1e-6)
    }

    func testSigmoidConfigurationWithMoreThanTwoClassesIsRejected() throws {
        let outputs = RunOutputs(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: outputs.directory) }
        try outputs.writeModel(try makeClassifier())
        let url = outputs.modelDirectory.appendingPathComponent("config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("\"output\" : \"softmax\""), text)
        try text.replacingOccurrences(of: "\"output\" : \"softmax\"", with: "\"output\" : \"sigmoid\"")
            .write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ImageClassifier.load(from: outputs.modelDirectory)) { error in
            XCTAssertTrue("\(error)".contains("'head.output'"), "\(error)")
        }
        // A config.json from before the option existed holds a softmax head.
        try text.replacingOccurrences(of: "\"output\" : \"softmax\",", with: "")
            .replacingOccurrences(of: ",\n    \"output\" : \"softmax\"", with: "")
            .write(to: url, atomically: true, encoding: .utf8)
        XCTAssertFalse(try String(contentsOf: url, encoding: .utf8).contains("\"output\""))
        XCTAssertEqual(try ImageClassifier.load(from: outputs.modelDirectory).headConfiguration.output, .softmax)
    }
}
