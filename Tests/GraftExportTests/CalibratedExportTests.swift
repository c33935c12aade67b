import Foundation
import Graft
@testable import GraftExport
import GraftTestSupport
import XCTest

/// A calibrated model exports with its temperature: the graph divides the traced logits by T
/// (a `Div` by a float32 scalar) before `logits` and the softmax, the metadata records T, and ONNX
/// Runtime gives the probabilities `ImageClassifier.predict` gives.
final class CalibratedExportTests: ExportTestCase {
    private func read(_ export: ONNXExport) throws -> ONNXModelProto { try ONNXModelProto(serializedBytes: export.data) }

    private func metadata(_ model: ONNXModelProto) -> [String: String] {
        Dictionary(uniqueKeysWithValues: model.metadataProps.map { ($0.key, $0.value) })
    }

    func testTheGraphDividesTheLogitsByTheTemperatureBeforeTheSoftmax() throws {
        let backbone = BackboneKind.efficientNetLite0.makeFeatureExtractor(seed: 3)
        let classifier = ImageClassifier(backbone: backbone, kind: .efficientNetLite0, classNames: ["a", "b", "c"],
                                         head: HeadConfiguration(), imageSize: 48, seed: 4)
        let plain = try read(try ONNXExport(ONNXExportSource(classifier: classifier), options: ONNXExportOptions(outputs: .both)))
        XCTAssertFalse(plain.graph.node.contains { $0.opType == "Div" }, "an uncalibrated model exports as before")
        XCTAssertEqual(metadata(plain)["temperature"], "1")

        classifier.calibration = Calibration(temperature: 2.5, logits: [1, 0, 0], labels: [0], classes: 3)
        let model = try read(try ONNXExport(ONNXExportSource(classifier: classifier), options: ONNXExportOptions(outputs: .both)))
        let nodes = model.graph.node
        XCTAssertEqual(nodes.suffix(3).map(\.opType), ["Gemm", "Div", "Softmax"])
        let division = nodes[nodes.count - 2]
        XCTAssertEqual(division.input.first, ONNXNames.uncalibratedLogits)
        XCTAssertEqual(division.output, [ONNXNames.logits], "the logits output is after the division")
        XCTAssertEqual(nodes.last?.input, [ONNXNames.logits])
        let divisor = try XCTUnwrap(model.graph.initializer.first { $0.name == division.input[1] })
        XCTAssertEqual(divisor.dims, [])
        XCTAssertEqual(divisor.rawData.count, 4)
        XCTAssertEqual(Float(bitPattern: UInt32(littleEndian: divisor.rawData.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })), 2.5)
        XCTAssertEqual(model.graph.output.map(\.name), ["probabilities", "logits"])
        XCTAssertEqual(metadata(model)["temperature"], "2.5")
    }

    /// Saved with a temperature, exported by the `graft` tool from the folder, run by ONNX Runtime.
    private func checkCalibrated(_ classifier: ImageClassifier, temperature: Double, label: String) throws {
        let photos = try samples(classifier.preprocessing)
        let classes = classifier.classNames.count
        classifier.calibration = Calibration(temperature: temperature, logits: [Float](repeating: 0, count: classes), labels: [0], classes: classes)
        let folder = scratch.appendingPathComponent("model")
        try classifier.save(to: folder)
        guard let graft = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool was not built") }
        let file = scratch.appendingPathComponent("calibrated.onnx")
        let result = try graft.run(["export", folder.path, "--out", file.path, "--output", "both"])
        XCTAssertEqual(result.status, 0, result.output)
        let saved = try ImageClassifier.load(from: folder)
        XCTAssertEqual(saved.temperature, temperature)

        // What ONNX Runtime is held to (the traced logits divided by T, and their softmax) is what predict reports.
        let p = saved.preprocessing
        let input = Tensor(shape: [photos.count, 3, p.height, p.width], values: photos.flatMap { $0 })
        let source = ONNXExportSource(classifier: saved)
        let probabilities = softmax(temperatureScaled(GradMode.withoutGradients { source.logits(input, .inference) }.values, by: temperature),
                                    classes: classes)
        let images = try photoFiles().map { try ImageDecoder.decode(contentsOf: $0) }
        for (row, ranked) in saved.predict(images, top: classes).enumerated() {
            for prediction in ranked {
                XCTAssertEqual(probabilities[row * classes + prediction.index], prediction.probability, accuracy: 1e-6, label)
            }
        }
        let report = try checkParity(of: file, source: source, label: label)
        for (batch, errors) in report.errors {
            XCTAssertLessThan(errors["probabilities"] ?? 1, 1e-5, "\(label): probabilities at batch \(batch)")
        }
    }

    func testACalibratedSoftmaxClassifierMatchesPredictInONNXRuntime() throws {
        let backbone = try pretrained(.efficientNetLite0, keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .efficientNetLite0, classNames: ["cat", "cup", "rocket", "astronaut", "motorcycle"],
                                         head: HeadConfiguration(hiddenUnits: [], dropout: 0.2), imageSize: 96, seed: 11)
        fitOutputLayer(of: classifier, to: try samples(classifier.preprocessing), labels: [0, 1, 2, 3, 4])
        try checkCalibrated(classifier, temperature: 1.9, label: "efficientnet-lite0 96 px, temperature 1.9")
    }

    func testACalibratedSigmoidClassifierMatchesPredictInONNXRuntime() throws {
        let backbone = try pretrained(.mobileNetV2, keepClassifier: false)
        let classifier = ImageClassifier(backbone: backbone, kind: .mobileNetV2, classNames: ["no", "yes"],
                                         head: HeadConfiguration(hiddenUnits: [], dropout: 0.2, output: .sigmoid), imageSize: 96, seed: 12)
        fitOutputLayer(of: classifier, to: try samples(classifier.preprocessing), labels: [0, 0, 1, 1, 1])
        try checkCalibrated(classifier, temperature: 0.6, label: "mobilenetv2 96 px, sigmoid head, temperature 0.6")
    }
}
