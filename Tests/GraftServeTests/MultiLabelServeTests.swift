import Foundation
import GraftData
import GraftModels
@testable import GraftServe
import GraftTestSupport
import GraftTraining
import XCTest

/// A multi-label model served: the Open Inference probabilities are each class's sigmoid, and
/// the upload API answers as `graft predict` does, with every class at or above the saved
/// threshold.
final class MultiLabelServeTests: XCTestCase {
    func testProbabilitiesAreSigmoidsAndUploadsListEveryClassAboveTheThreshold() throws {
        let cache = WeightsCache()
        guard cache.isPresent(PackagedFiles.efficientNetLite0), PackagedFiles.samplePhotos.allSatisfy(cache.isPresent) else {
            throw XCTSkip("the EfficientNet-Lite0 weights and sample photos are not fetched (make test fetches them)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("graft-serve-tags-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let classifier = ImageClassifier(backbone: try BackboneKind.efficientNetLite0.pretrained(keepClassifier: false), kind: .efficientNetLite0,
                                         classNames: ["animal", "indoor", "vehicle", "person"],
                                         head: HeadConfiguration(output: .multiLabel, threshold: 0.45), imageSize: 96, seed: 21)
        try classifier.save(to: folder)
        let server = try RunningServer(models: [try ServedModel.trained(name: "tags", folder: folder)],
                                       options: ServerOptions(batching: BatchingLimits(maxBatch: 4)))
        defer { server.stop() }
        let photos = ServeFixture.photoNames.map { cache.root.appendingPathComponent("photos/\($0)") }
        let images = try photos.map { try ImageDecoder.decode(contentsOf: $0) }

        let transform = ImageTransform(preprocessing: classifier.preprocessing)
        let body = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "input", "datatype": "FP32", "shape": [images.count, 3, 96, 96],
                        "data": images.flatMap { transform.render($0, seed: 0) }.map(Double.init)]],
            "outputs": [["name": "probabilities"]],
        ])
        let reply = try HTTP.post(server.url("/v2/models/tags/infer"), contentType: "application/json", body: body)
        XCTAssertEqual(reply.status, 200, reply.text)
        let outputs = try XCTUnwrap((try reply.json() as? [String: Any])?["outputs"] as? [[String: Any]])
        let served = try XCTUnwrap(outputs[0]["data"] as? [Double])
        let everything = classifier.predict(images, top: 4, threshold: 1e-9)
        for (row, ranked) in everything.enumerated() {
            XCTAssertEqual(ranked.count, 4)
            for p in ranked { XCTAssertEqual(served[row * 4 + p.index], Double(p.probability), accuracy: 1e-6, "image \(row), \(p.label)") }
        }
        XCTAssertNotEqual(served.prefix(4).reduce(0, +), 1, accuracy: 1e-3, "sigmoids, not a softmax")

        let form = HTTP.form(try photos.map { ($0.lastPathComponent, try Data(contentsOf: $0)) })
        let upload = try HTTP.post(server.url("/v1/models/tags/predict"), contentType: form.contentType, body: form.body)
        XCTAssertEqual(upload.status, 200, upload.text)
        let got = try JSONDecoder().decode([FilePrediction].self, from: upload.body)
        let expected = classifier.predict(images)
        XCTAssertEqual(got.map { $0.predictions.map(\.label) }, expected.map { $0.map(\.label) })
        XCTAssertTrue(got.allSatisfy { $0.predictions.allSatisfy { $0.probability >= 0.45 } })
    }
}
