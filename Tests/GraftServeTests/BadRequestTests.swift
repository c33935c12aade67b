import Foundation
@testable import GraftServe
import XCTest

/// Requests a server must refuse: each gets its status and a JSON error naming what was wrong,
/// and the server answers a good request correctly afterwards.
final class BadRequestTests: XCTestCase {
    private struct Case {
        let name: String
        let method: String
        let path: String
        var contentType: String?
        var headers: [String: String] = [:]
        var body = Data()
        let status: Int
        /// Words the error message must contain.
        let mentions: [String]
    }

    private func json(_ object: Any) -> Data { try! JSONSerialization.data(withJSONObject: object) }

    private func fp32(shape: [Int], count: Int? = nil, datatype: String = "FP32", name: String = "input") -> Data {
        json(["inputs": [["name": name, "datatype": datatype, "shape": shape,
                          "data": Array(repeating: 0.5, count: count ?? shape.reduce(1, *))]]])
    }

    private func cases() throws -> [Case] {
        let shared = try fixture
        let jpeg = try Data(contentsOf: shared.photos[2])
        let png = try Data(contentsOf: shared.photos[0])
        let predict = "/v1/models/flowers/predict"
        let infer = "/v2/models/flowers/infer"
        let binaryHeader = json(["inputs": [["name": "images", "datatype": "BYTES", "shape": [1], "parameters": ["binary_data_size": 100]]]])
        return [
            Case(name: "truncated image", method: "POST", path: predict, contentType: "image/png", body: png.prefix(png.count / 3),
                 status: 400, mentions: ["upload", "corrupt or truncated PNG"]),
            Case(name: "decompression bomb header", method: "POST", path: predict, contentType: "image/jpeg", body: bomb(from: jpeg),
                 status: 400, mentions: ["65000x65000", "limit"]),
            Case(name: "not an image", method: "POST", path: predict, contentType: "image/jpeg", body: Data("hello, world".utf8),
                 status: 415, mentions: ["upload", "not a"]),
            Case(name: "empty body", method: "POST", path: predict, contentType: "image/jpeg", status: 400, mentions: ["empty"]),
            Case(name: "wrong content type", method: "POST", path: predict, contentType: "text/plain", body: jpeg,
                 status: 415, mentions: ["text/plain"]),
            Case(name: "no content type", method: "POST", path: predict, body: jpeg, status: 415, mentions: ["Content-Type"]),
            Case(name: "compressed body", method: "POST", path: predict, contentType: "image/jpeg", headers: ["Content-Encoding": "gzip"],
                 body: jpeg, status: 415, mentions: ["gzip"]),
            Case(name: "unknown model", method: "POST", path: "/v1/models/daisies/predict", contentType: "image/jpeg", body: jpeg,
                 status: 404, mentions: ["daisies", "flowers"]),
            Case(name: "oversized body", method: "POST", path: predict, contentType: "image/jpeg",
                 body: Data(count: ServeFixture.bodyLimit + 1), status: 413, mentions: ["4 MiB"]),
            Case(name: "empty multipart form", method: "POST", path: predict, contentType: "multipart/form-data; boundary=xyz",
                 body: Data("--xyz--\r\n".utf8), status: 400, mentions: ["no files"]),
            Case(name: "form without a file field", method: "POST", path: predict, contentType: "multipart/form-data; boundary=xyz",
                 body: Data("--xyz\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--xyz--\r\n".utf8),
                 status: 400, mentions: ["no files"]),
            Case(name: "multipart without boundary", method: "POST", path: predict, contentType: "multipart/form-data", body: jpeg,
                 status: 400, mentions: ["boundary"]),
            Case(name: "bad top", method: "POST", path: predict + "?top=0", contentType: "image/jpeg", body: jpeg,
                 status: 400, mentions: ["top", "'0'"]),
            Case(name: "non-JSON infer body", method: "POST", path: infer, contentType: "application/json", body: Data("{inputs: [".utf8),
                 status: 400, mentions: ["not valid JSON"]),
            Case(name: "JSON that is not an object", method: "POST", path: infer, contentType: "application/json", body: Data("[1, 2]".utf8),
                 status: 400, mentions: ["JSON object"]),
            Case(name: "no inputs", method: "POST", path: infer, contentType: "application/json", body: json(["inputs": []]),
                 status: 400, mentions: ["no \"inputs\""]),
            Case(name: "wrong tensor shape", method: "POST", path: infer, contentType: "application/json", body: fp32(shape: [1, 3, 32, 32]),
                 status: 400, mentions: ["inputs[0].shape", "[1, 3, 32, 32]", "[N, 3, 96, 96]"]),
            Case(name: "wrong datatype", method: "POST", path: infer, contentType: "application/json",
                 body: fp32(shape: [1, 3, 96, 96], datatype: "FP64"), status: 400, mentions: ["inputs[0].datatype", "FP64"]),
            Case(name: "data that does not fill the shape", method: "POST", path: infer, contentType: "application/json",
                 body: fp32(shape: [1, 3, 96, 96], count: 10), status: 400, mentions: ["inputs[0].data", "10 numbers"]),
            Case(name: "unknown input name", method: "POST", path: infer, contentType: "application/json",
                 body: fp32(shape: [1, 3, 96, 96], name: "pixels"), status: 400, mentions: ["inputs[0].name", "pixels"]),
            Case(name: "BYTES input with FP32 name", method: "POST", path: infer, contentType: "application/json",
                 body: json(["inputs": [["name": "input", "datatype": "BYTES", "shape": [1], "data": ["aGk="]]]]),
                 status: 400, mentions: ["inputs[0].datatype", "FP32"]),
            Case(name: "strings in an FP32 tensor", method: "POST", path: infer, contentType: "application/json",
                 body: json(["inputs": [["name": "input", "datatype": "FP32", "shape": [1], "data": ["x"]]]]),
                 status: 400, mentions: ["inputs[0].data", "only numbers"]),
            Case(name: "binary data shorter than declared", method: "POST", path: infer, contentType: "application/octet-stream",
                 headers: ["Inference-Header-Content-Length": String(binaryHeader.count)], body: binaryHeader + Data(count: 10),
                 status: 400, mentions: ["inputs[0]", "ends before"]),
            Case(name: "header length past the body", method: "POST", path: infer, contentType: "application/octet-stream",
                 headers: ["Inference-Header-Content-Length": "999999"], body: binaryHeader,
                 status: 400, mentions: ["Inference-Header-Content-Length", "999999"]),
            Case(name: "unknown output", method: "POST", path: infer, contentType: "application/json",
                 body: json(["inputs": [["name": "images", "datatype": "BYTES", "shape": [1], "data": [png.base64EncodedString()]]],
                             "outputs": [["name": "features"]]]), status: 400, mentions: ["outputs[0].name", "features"]),
            Case(name: "BYTES that are not an image", method: "POST", path: infer, contentType: "application/json",
                 body: json(["inputs": [["name": "images", "datatype": "BYTES", "shape": [1], "data": ["aGVsbG8="]]]]),
                 status: 415, mentions: ["images[0]"]),
            Case(name: "unknown endpoint", method: "GET", path: "/v3/anything", status: 404, mentions: ["/v3/anything"]),
            Case(name: "wrong method", method: "GET", path: infer, status: 405, mentions: ["GET"]),
        ]
    }

    /// A real JPEG whose frame header claims 65000 x 65000 pixels.
    private func bomb(from jpeg: Data) -> Data {
        var bytes = [UInt8](jpeg)
        for i in 0..<(bytes.count - 9) where bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2) {
            for offset in [5, 7] {
                bytes[i + offset] = UInt8(65000 >> 8)
                bytes[i + offset + 1] = UInt8(65000 & 0xFF)
            }
            break
        }
        return Data(bytes)
    }

    func testEveryBadRequestGetsItsStatusAndANamedErrorAndTheServerGoesOn() throws {
        let shared = try fixture
        let cases = try cases()
        XCTAssertGreaterThanOrEqual(cases.count, 15)
        var table: [String] = []
        for bad in cases {
            var headers = bad.headers
            if let type = bad.contentType { headers["Content-Type"] = type }
            let reply = try HTTP.send(bad.method, shared.server.url(bad.path), headers: headers, body: bad.method == "GET" ? nil : bad.body)
            table.append("\(reply.status)  \(bad.name): \(reply.errorMessage ?? reply.text)")
            XCTAssertEqual(reply.status, bad.status, "\(bad.name): \(reply.text)")
            let message = try XCTUnwrap(reply.errorMessage, "\(bad.name): no JSON error in \(reply.text)")
            for word in bad.mentions { XCTAssertTrue(message.contains(word), "\(bad.name): '\(message)' does not mention \(word)") }
        }
        print(table.joined(separator: "\n"))
        let good = try HTTP.post(shared.server.url("/v1/models/flowers/predict"), contentType: "image/png",
                                 body: try Data(contentsOf: shared.photos[0]))
        XCTAssertEqual(good.status, 200, good.text)
        XCTAssertEqual(try HTTP.get(shared.server.url("/v2/health/ready")).status, 200)
    }
}
