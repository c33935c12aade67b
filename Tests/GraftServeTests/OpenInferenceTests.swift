import Foundation
import GraftData
import GraftModels
@testable import GraftServe
import GraftTraining
import XCTest

/// The Open Inference Protocol endpoints over real HTTP on loopback: health, metadata, and
/// inference with FP32 tensors and BYTES image files, as JSON and as Triton's binary tensors.
final class OpenInferenceTests: XCTestCase {
    func testHealthAndMetadata() throws {
        let server = try fixture.server
        XCTAssertEqual(try HTTP.get(server.url("/v2/health/live")).status, 200)
        XCTAssertEqual(try HTTP.get(server.url("/v2/health/ready")).status, 200)
        let metadata = try XCTUnwrap(try HTTP.get(server.url("/v2")).json() as? [String: Any])
        XCTAssertEqual(metadata["name"] as? String, "graft")
        XCTAssertEqual(metadata["extensions"] as? [String], ["binary_tensor_data", "classification"])

        let model = try XCTUnwrap(try HTTP.get(server.url("/v2/models/flowers")).json() as? [String: Any])
        XCTAssertEqual(model["name"] as? String, "flowers")
        let inputs = try XCTUnwrap(model["inputs"] as? [[String: Any]])
        XCTAssertEqual(inputs.map { $0["name"] as? String }, ["input", "images"])
        XCTAssertEqual(inputs[0]["shape"] as? [Int], [-1, 3, 96, 96])
        XCTAssertEqual(inputs[0]["datatype"] as? String, "FP32")
        let outputs = try XCTUnwrap(model["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs[0]["shape"] as? [Int], [-1, 3])
        XCTAssertEqual(try HTTP.get(server.url("/v2/models/flowers/ready")).status, 200)
        XCTAssertEqual(try HTTP.get(server.url("/v2/models/lite0/versions/1")).status, 200)
        XCTAssertEqual(try HTTP.get(server.url("/v2/models/lite0/versions/2")).status, 404)
        XCTAssertEqual(try HTTP.get(server.url("/v2/models/missing/ready")).status, 404)
    }

    func testFP32InputAsJSONGivesTheModelsProbabilities() throws {
        let shared = try fixture
        let classifier = try ImageClassifier.load(from: shared.flowersFolder)
        let images = try shared.photos.prefix(2).map { try ImageDecoder.decode(contentsOf: $0) }
        let transform = ImageTransform(preprocessing: classifier.preprocessing)
        let values = images.flatMap { transform.render($0, seed: 0) }
        let body = try JSONSerialization.data(withJSONObject: [
            "id": "r1",
            "inputs": [["name": "input", "datatype": "FP32", "shape": [2, 3, 96, 96], "data": values.map(Double.init)]],
            "outputs": [["name": "probabilities"], ["name": "labels"]],
        ])
        let reply = try HTTP.post(shared.server.url("/v2/models/flowers/infer"), contentType: "application/json", body: body)
        XCTAssertEqual(reply.status, 200, reply.text)
        let json = try XCTUnwrap(try reply.json() as? [String: Any])
        XCTAssertEqual(json["id"] as? String, "r1")
        XCTAssertEqual(json["model_name"] as? String, "flowers")
        let outputs = try XCTUnwrap(json["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs[0]["shape"] as? [Int], [2, 3])
        let probabilities = try XCTUnwrap(outputs[0]["data"] as? [Double])
        let expected = classifier.predict(images, top: 3)
        for (row, ranked) in expected.enumerated() {
            for prediction in ranked {
                XCTAssertEqual(probabilities[row * 3 + prediction.index], Double(prediction.probability), accuracy: 1e-6)
            }
        }
        XCTAssertEqual(outputs[1]["data"] as? [String], expected.map { $0[0].label })
    }

    func testBinaryImageFilesWithClassificationMatchTheClassifier() throws {
        let shared = try fixture
        let files = try shared.photos.map { try Data(contentsOf: $0) }
        var tensor = Data()
        for file in files {
            withUnsafeBytes(of: UInt32(file.count).littleEndian) { tensor.append(contentsOf: $0) }
            tensor.append(file)
        }
        let header = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "images", "datatype": "BYTES", "shape": [files.count], "parameters": ["binary_data_size": tensor.count]]],
            "outputs": [["name": "probabilities", "parameters": ["binary_data": true]],
                        ["name": "probabilities", "parameters": ["classification": 3, "binary_data": false]]],
        ])
        let reply = try HTTP.post(shared.server.url("/v2/models/lite0/infer"), contentType: "application/octet-stream",
                                  body: header + tensor, headers: ["Inference-Header-Content-Length": String(header.count)])
        XCTAssertEqual(reply.status, 200, reply.text)
        let headerLength = try XCTUnwrap(reply.header("Inference-Header-Content-Length").flatMap { Int($0) })
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: reply.body.prefix(headerLength)) as? [String: Any])
        let outputs = try XCTUnwrap(json["outputs"] as? [[String: Any]])
        let size = try XCTUnwrap((outputs[0]["parameters"] as? [String: Any])?["binary_data_size"] as? Int)
        XCTAssertEqual(size, files.count * 1000 * 4)
        let raw = reply.body.dropFirst(headerLength)
        XCTAssertEqual(raw.count, size)
        let probabilities = raw.withUnsafeBytes { bytes in
            (0..<(size / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }

        let backbone = try BackboneKind.efficientNetLite0.pretrained()
        let classes = try ImageNetClasses.load()
        let expected = backbone.classify(try shared.photos.map { try ImageDecoder.decode(contentsOf: $0) }, classes: classes, top: 3)
        let strings = try XCTUnwrap(outputs[1]["data"] as? [String])
        XCTAssertEqual(outputs[1]["shape"] as? [Int], [files.count, 3])
        for (row, ranked) in expected.enumerated() {
            XCTAssertEqual(probabilities[(row * 1000)..<((row + 1) * 1000)].reduce(0, +), 1, accuracy: 1e-4)
            for (rank, prediction) in ranked.enumerated() {
                XCTAssertEqual(probabilities[row * 1000 + prediction.index], prediction.probability, accuracy: 1e-6)
                let parts = strings[row * 3 + rank].split(separator: ":")
                XCTAssertEqual(parts.count, 3)
                XCTAssertEqual(Int(parts[1]), prediction.index)
                XCTAssertEqual(String(parts[2]), prediction.label)
                XCTAssertEqual(Float(parts[0])!, prediction.probability, accuracy: 1e-5)
            }
        }
        XCTAssertEqual(expected[0][0].label, "tiger cat")
    }

    func testBase64ImagesInJSONAndAllOutputsByDefault() throws {
        let shared = try fixture
        let file = try Data(contentsOf: shared.photos[0])
        let body = try JSONSerialization.data(withJSONObject: [
            "inputs": [["name": "images", "datatype": "BYTES", "shape": [1], "data": [file.base64EncodedString()]]],
        ])
        let reply = try HTTP.post(shared.server.url("/v2/models/flowers/versions/1/infer"), contentType: "application/json", body: body)
        XCTAssertEqual(reply.status, 200, reply.text)
        let outputs = try XCTUnwrap((try reply.json() as? [String: Any])?["outputs"] as? [[String: Any]])
        XCTAssertEqual(outputs.map { $0["name"] as? String }, ["probabilities", "labels"])
        let probabilities = try XCTUnwrap(outputs[0]["data"] as? [Double])
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-5)
        let classifier = try ImageClassifier.load(from: shared.flowersFolder)
        let expected = classifier.predict([try ImageDecoder.decode(contentsOf: shared.photos[0])], top: 1)[0][0]
        XCTAssertEqual(probabilities[expected.index], Double(expected.probability), accuracy: 1e-6)
        XCTAssertEqual(outputs[1]["data"] as? [String], [expected.label])
    }
}
