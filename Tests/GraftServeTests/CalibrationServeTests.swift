import Foundation
import GraftCore
import GraftData
import GraftModels
@testable import GraftServe
import GraftTraining
import XCTest

/// A saved model with a temperature, served over real HTTP on loopback: the Open Inference routes
/// (a preprocessed FP32 tensor, and encoded images) and the upload route return the calibrated
/// probabilities `ImageClassifier.predict` gives, within 1e-6, and `logits` divided by T.
final class CalibrationServeTests: XCTestCase {
    func testServedProbabilitiesAreTheCalibratedOnesOfPredict() throws {
        let cache = WeightsCache()
        guard cache.isPresent(PackagedFiles.efficientNetLite0), PackagedFiles.samplePhotos.allSatisfy(cache.isPresent) else {
            throw XCTSkip("the EfficientNet-Lite0 weights and sample photos are not fetched (make test fetches them)")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("graft-serve-calibrated-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("model")
        let classifier = ImageClassifier(backbone: try BackboneKind.efficientNetLite0.pretrained(keepClassifier: false), kind: .efficientNetLite0,
                                         classNames: ["daisy", "rose", "tulip"], head: HeadConfiguration(hiddenUnits: [16]), imageSize: 96, seed: 11)
        // A temperature below 1 sharpens the near-uniform probabilities of a fresh head visibly.
        classifier.calibration = Calibration(temperature: 0.37, logits: [0, 1, 2], labels: [2], classes: 3)
        try classifier.save(to: folder)
        let saved = try ImageClassifier.load(from: folder)
        XCTAssertEqual(saved.temperature, 0.37)

        let server = try RunningServer(models: [try ServedModel.trained(name: "calibrated", folder: folder)],
                                       options: ServerOptions(batching: BatchingLimits(maxBatch: 2)))
        defer { server.stop() }
        let photos = ["chelsea.png", "rocket.jpg"].map { cache.root.appendingPathComponent("photos/\($0)") }
        let images = try photos.map { try ImageDecoder.decode(contentsOf: $0) }
        let expected = saved.predict(images, top: 3)
        let transform = ImageTransform(preprocessing: saved.preprocessing)
        let values = images.flatMap { transform.render($0, seed: 0) }
        let input = Tensor(shape: [2, 3, 96, 96], values: values)
        let raw = saved.logits(input).values

        func check(_ probabilities: [Double], _ label: String) {
            XCTAssertEqual(probabilities.count, 6, label)
            for (row, ranked) in expected.enumerated() {
                for prediction in ranked {
                    XCTAssertEqual(probabilities[row * 3 + prediction.index], Double(prediction.probability), accuracy: 1e-6, label)
                }
                // The temperature made a difference the comparison can see.
                let plain = softmaxProbabilities(raw[(row * 3)..<(row * 3 + 3)])
                XCTAssertGreaterThan(zip(plain, probabilities[(row * 3)..<(row * 3 + 3)]).map { abs($0 - $1) }.max()!, 1e-3, label)
            }
        }

        // A preprocessed FP32 tensor: probabilities and logits.
        let tensor = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "input", "datatype": "FP32", "shape": [2, 3, 96, 96], "data": values.map(Double.init)]],
            "outputs": [["name": "probabilities"], ["name": "logits"]],
        ])
        let reply = try HTTP.post(server.url("/v2/models/calibrated/infer"), contentType: "application/json", body: tensor)
        XCTAssertEqual(reply.status, 200, reply.text)
        let outputs = try XCTUnwrap((try reply.json() as? [String: Any])?["outputs"] as? [[String: Any]])
        check(try XCTUnwrap(outputs[0]["data"] as? [Double]), "FP32 input")
        let logits = try XCTUnwrap(outputs[1]["data"] as? [Double])
        for (served, network) in zip(logits, raw) { XCTAssertEqual(Float(served), network / 0.37, accuracy: 1e-5, "logits are divided by T") }

        // Encoded images, decoded and preprocessed by the server.
        let files = try photos.map { try Data(contentsOf: $0).base64EncodedString() }
        let encoded = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "images", "datatype": "BYTES", "shape": [2], "data": files]],
            "outputs": [["name": "probabilities"]],
        ])
        let imagesReply = try HTTP.post(server.url("/v2/models/calibrated/infer"), contentType: "application/json", body: encoded)
        XCTAssertEqual(imagesReply.status, 200, imagesReply.text)
        let imageOutputs = try XCTUnwrap((try imagesReply.json() as? [String: Any])?["outputs"] as? [[String: Any]])
        check(try XCTUnwrap(imageOutputs[0]["data"] as? [Double]), "BYTES images")

        // The upload route answers as graft predict does.
        let form = HTTP.form(try photos.map { ($0.lastPathComponent, try Data(contentsOf: $0)) })
        let upload = try HTTP.post(server.url("/v1/models/calibrated/predict?top=3"), contentType: form.contentType, body: form.body)
        XCTAssertEqual(upload.status, 200, upload.text)
        let predictions = try JSONDecoder().decode([FilePrediction].self, from: upload.body)
        var uploaded = [Double](repeating: 0, count: 6)
        for (row, file) in predictions.enumerated() { for p in file.predictions { uploaded[row * 3 + p.index] = Double(p.probability) } }
        check(uploaded, "upload")
    }
}
