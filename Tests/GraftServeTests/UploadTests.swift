import Foundation
import GraftModels
@testable import GraftServe
import GraftTestSupport
import XCTest

/// The plain upload API against `graft predict` on the same files: same classes, probabilities
/// within 1e-6, the same JSON shape.
final class UploadTests: XCTestCase {
    func testUploadsAnswerAsGraftPredictDoes() throws {
        let shared = try fixture
        guard let graft = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool is not built") }
        let result = try graft.run(["predict", shared.flowersFolder.path] + shared.photos.map(\.path) + ["--json", "--top", "3"])
        XCTAssertEqual(result.status, 0, result.output)
        let expected = try JSONDecoder().decode([FilePrediction].self, from: Data(result.output.utf8))

        let form = HTTP.form(try shared.photos.map { ($0.lastPathComponent, try Data(contentsOf: $0)) })
        let reply = try HTTP.post(shared.server.url("/v1/models/flowers/predict?top=3"), contentType: form.contentType, body: form.body)
        XCTAssertEqual(reply.status, 200, reply.text)
        let got = try JSONDecoder().decode([FilePrediction].self, from: reply.body)
        XCTAssertEqual(got.map(\.file), shared.photos.map(\.lastPathComponent))
        assertSamePredictions(got, expected)

        // One image as the raw body, the default top 5 capped at the model's three classes.
        let raw = try HTTP.post(shared.server.url("/v1/models/flowers/predict"), contentType: "image/png",
                                body: try Data(contentsOf: shared.photos[0]))
        XCTAssertEqual(raw.status, 200, raw.text)
        let single = try JSONDecoder().decode([FilePrediction].self, from: raw.body)
        XCTAssertEqual(single.map(\.file), ["upload"])
        assertSamePredictions(single, [expected[0]])
    }

    func testPretrainedModelUploadAndModelList() throws {
        let shared = try fixture
        let reply = try HTTP.post(shared.server.url("/v1/models/lite0/predict?top=2"), contentType: "application/octet-stream",
                                  body: try Data(contentsOf: shared.photos[0]))
        XCTAssertEqual(reply.status, 200, reply.text)
        let got = try JSONDecoder().decode([FilePrediction].self, from: reply.body)
        XCTAssertEqual(got[0].predictions.map(\.label), ["tiger cat", "Egyptian cat"])
        let list = try XCTUnwrap(try HTTP.get(shared.server.url("/v1/models")).json() as? [[String: Any]])
        XCTAssertEqual(list.map { $0["name"] as? String }, ["lite0", "flowers"])
        XCTAssertEqual(list[1]["inputSize"] as? [Int], [96, 96])
        let page = try HTTP.get(shared.server.url("/"))
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.header("Content-Type")?.hasPrefix("text/html") ?? false)
        XCTAssertTrue(page.text.contains("/v1/models/"))
    }

    private func assertSamePredictions(_ got: [FilePrediction], _ expected: [FilePrediction], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, file: file, line: line)
        for (a, b) in zip(got, expected) {
            XCTAssertEqual(a.predictions.map(\.label), b.predictions.map(\.label), file: file, line: line)
            XCTAssertEqual(a.predictions.map(\.index), b.predictions.map(\.index), file: file, line: line)
            for (p, q) in zip(a.predictions, b.predictions) {
                XCTAssertEqual(p.probability, q.probability, accuracy: 1e-6, file: file, line: line)
            }
            XCTAssertNil(a.error, file: file, line: line)
        }
    }
}
