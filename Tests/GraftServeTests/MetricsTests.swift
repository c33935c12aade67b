import Foundation
@testable import GraftServe
import XCTest

/// `GET /metrics` in Prometheus' text format: requests by route and status, latency and batch
/// histograms, queue depth and images inferred, counted from real requests.
final class MetricsTests: XCTestCase {
    func testMetricsCountWhatTheServerDid() throws {
        let shared = try fixture
        let photo = try Data(contentsOf: shared.photos[1])
        for _ in 0..<3 {
            XCTAssertEqual(try HTTP.post(shared.server.url("/v1/models/flowers/predict"), contentType: "image/png", body: photo).status, 200)
        }
        XCTAssertEqual(try HTTP.post(shared.server.url("/v1/models/flowers/predict"), contentType: "text/plain", body: photo).status, 415)
        let reply = try HTTP.get(shared.server.url("/metrics"))
        XCTAssertEqual(reply.status, 200)
        XCTAssertTrue(reply.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") ?? false)
        let lines = reply.text.split(separator: "\n").map(String.init)
        func value(_ prefix: String) -> Double? {
            lines.first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
        }
        let route = #"route="/v1/models/{name}/predict""#
        let ok = lines.first { $0.hasPrefix("graft_http_requests_total{") && $0.contains(route) && $0.contains(#"status="200""#) }
        XCTAssertNotNil(ok, reply.text)
        XCTAssertGreaterThanOrEqual(ok.flatMap { Double($0.split(separator: " ").last!) } ?? 0, 3)
        XCTAssertTrue(lines.contains { $0.hasPrefix("graft_http_requests_total{") && $0.contains(#"status="415""#) }, reply.text)
        XCTAssertGreaterThanOrEqual(value(#"graft_images_inferred_total{model="flowers"}"#) ?? 0, 3)
        XCTAssertNotNil(value(#"graft_queue_depth_images{model="flowers"}"#))
        XCTAssertGreaterThanOrEqual(value(#"graft_batch_size_images_count{model="flowers"}"#) ?? 0, 3)
        XCTAssertTrue(lines.contains { $0.hasPrefix("graft_http_request_duration_seconds_bucket{") && $0.contains(route) })
    }
}
