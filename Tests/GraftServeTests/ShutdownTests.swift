import Foundation
import GraftModels
import GraftTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `graft serve` as a user runs it: SIGTERM under load and SIGINT stop it gracefully; every
/// request it accepted is answered, and it exits 0.
final class ShutdownTests: XCTestCase {
    private func startServer(_ graft: GraftProcess) throws -> (Process, URL, Int) {
        let (process, log) = try graft.start(["serve", "--backbone", "efficientnet-lite0", "--port", "0", "--max-batch", "8"])
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            let marker = "listening on http://127.0.0.1:"
            if let range = text.range(of: marker), let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                return (process, log, port)
            }
            usleep(50_000)
        }
        process.terminate()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw XCTSkip("graft serve did not start listening: \(output.suffix(500))")
    }

    private func requireTool() throws -> GraftProcess {
        guard WeightsCache().isPresent(PackagedFiles.efficientNetLite0), WeightsCache().isPresent(PackagedFiles.imageNetClassNames) else {
            throw XCTSkip("the EfficientNet-Lite0 weights are not fetched (make test fetches them)")
        }
        guard let graft = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool is not built") }
        return graft
    }

    func testSIGTERMUnderLoadAnswersEveryAcceptedRequestAndExitsZero() throws {
        let graft = try requireTool()
        let photo = try Data(contentsOf: WeightsCache().path(of: PackagedFiles.samplePhotos[2]))
        let (process, log, port) = try startServer(graft)
        let url = URL(string: "http://127.0.0.1:\(port)/v1/models/efficientnet-lite0/predict")!
        let lock = NSLock()
        nonisolated(unsafe) var statuses: [Int: Int] = [:]
        nonisolated(unsafe) var failuresBeforeSignal: [String] = []
        nonisolated(unsafe) var signalled = false
        let clients = 12
        let group = DispatchGroup()
        for _ in 0..<clients {
            DispatchQueue.global().async(group: group) {
                while true {
                    do {
                        let reply = try HTTP.post(url, contentType: "image/jpeg", body: photo)
                        lock.withLock { statuses[reply.status, default: 0] += 1 }
                        if reply.status != 200 { break }
                    } catch {
                        // After the signal, a refused or closed connection is a request never accepted.
                        lock.withLock { if !signalled { failuresBeforeSignal.append("\(error)") } }
                        break
                    }
                }
            }
        }
        // Signal once every client has had answers, so requests are surely in flight at that moment.
        let loaded = Date().addingTimeInterval(60)
        while lock.withLock({ statuses.values.reduce(0, +) }) < 2 * clients && Date() < loaded { usleep(20_000) }
        lock.withLock { signalled = true }
        kill(process.processIdentifier, SIGTERM)
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "clients still waiting a minute after SIGTERM")
        let result = graft.finish(process, log: log)
        XCTAssertEqual(result.reason, .exit, result.output)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("graft serve: stopped"), result.output)
        XCTAssertEqual(failuresBeforeSignal, [])
        XCTAssertEqual(Set(statuses.keys), [200], "answers other than 200: \(statuses)")
        XCTAssertGreaterThanOrEqual(statuses[200] ?? 0, 2 * clients, "too few requests ran before the signal: \(statuses)")
    }

    func testSIGINTStopsAnIdleServerWithStatusZero() throws {
        let graft = try requireTool()
        let (process, log, port) = try startServer(graft)
        let ready = URL(string: "http://127.0.0.1:\(port)/v2/health/ready")!
        let deadline = Date().addingTimeInterval(60)
        while (try? HTTP.get(ready).status) != 200 && Date() < deadline { usleep(50_000) }
        XCTAssertEqual(try HTTP.get(ready).status, 200)
        kill(process.processIdentifier, SIGINT)
        let result = graft.finish(process, log: log)
        XCTAssertEqual(result.reason, .exit, result.output)
        XCTAssertEqual(result.status, 0, result.output)
    }
}
