import Foundation
import GraftData
import GraftModels
import GraftTestSupport
import GraftTraining
import XCTest

/// The unmodified `tritonclient[http]` from PyPI against the server: health, metadata and
/// inference with both input kinds, its numbers equal to Graft's own.
final class TritonClientTests: XCTestCase {
    func testTritonClientTalksToTheServer() throws {
        let python = try PythonTools.require(["tritonclient.http", "numpy"])
        let shared = try fixture
        let photos = Array(shared.photos.prefix(3))
        let classifier = try ImageClassifier.load(from: shared.flowersFolder)
        let images = try photos.map { try ImageDecoder.decode(contentsOf: $0) }
        let transform = ImageTransform(preprocessing: classifier.preprocessing)
        let tensor = FileManager.default.temporaryDirectory.appendingPathComponent("graft-triton-\(UUID().uuidString).f32")
        defer { try? FileManager.default.removeItem(at: tensor) }
        try images.flatMap { transform.render($0, seed: 0) }.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: tensor)

        let script = PythonTools.repositoryRoot.appendingPathComponent("Tests/ServeChecks/tritonclient_check.py")
        let run = try PythonTools.run(python, [script.path, "127.0.0.1:\(shared.server.port)", "flowers", tensor.path] + photos.map(\.path))
        XCTAssertEqual(run.status, 0, run.output)
        let lastLine = try XCTUnwrap(run.output.split(separator: "\n").last)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])

        XCTAssertEqual((report["server"] as? [String: Any])?["name"] as? String, "graft")
        XCTAssertEqual((report["metadata"] as? [String: Any])?["name"] as? String, "flowers")
        let expected = classifier.predict(images, top: 3)
        for key in ["bytes_probabilities", "fp32_binary_probabilities", "fp32_json_probabilities"] {
            let rows = try XCTUnwrap(report[key] as? [[Double]], key)
            XCTAssertEqual(rows.count, 3, key)
            for (row, ranked) in zip(rows, expected) {
                for prediction in ranked {
                    XCTAssertEqual(row[prediction.index], Double(prediction.probability), accuracy: 1e-6, key)
                }
            }
        }
        XCTAssertEqual(report["bytes_labels"] as? [String], expected.map { $0[0].label })
        let top = try XCTUnwrap(report["bytes_top3_logits"] as? [[String]])
        XCTAssertEqual(top.map { $0.map { $0.split(separator: ":").last.map(String.init) ?? "" } }, expected.map { $0.map(\.label) })
    }
}
