import Foundation
import GraftCore
@testable import GraftServe
import GraftTestSupport
import XCTest

/// What a server is asked to serve and how, checked before anything is loaded or bound.
final class ServerSetupTests: XCTestCase {
    func testModelSourcesAreNamedAfterTheirRunOrExplicitly() throws {
        XCTAssertEqual(try ModelSource(parsing: "runs/flowers/model").name, "flowers")
        XCTAssertEqual(try ModelSource(parsing: "/data/exports/birds").name, "birds")
        let named = try ModelSource(parsing: "roses=runs/flowers/model")
        XCTAssertEqual(named.name, "roses")
        XCTAssertEqual(named.folder.standardizedFileURL, URL(fileURLWithPath: "runs/flowers/model").standardizedFileURL)
        // '=' after a slash belongs to the path, and a name with it needs NAME=PATH.
        XCTAssertThrowsError(try ModelSource(parsing: "runs/a=b")) { error in
            XCTAssertEqual(error as? ServeSetupError, .badModelName("a=b"))
        }
        XCTAssertThrowsError(try ModelSource(parsing: "bad name=runs/x")) { error in
            XCTAssertEqual(error as? ServeSetupError, .badModelName("bad name"))
        }
        XCTAssertThrowsError(try ModelSource(parsing: "roses=")) { error in
            XCTAssertEqual(error as? ServeSetupError, .emptyModelPath("roses="))
        }
    }

    func testOptionsOutOfBoundsAreRefusedByName() {
        func refused(_ change: (inout ServerOptions) -> Void) -> String? {
            var options = ServerOptions()
            change(&options)
            do {
                try options.validate()
                return nil
            } catch {
                return (error as? InvalidSetting)?.name
            }
        }
        XCTAssertNil(refused { _ in })
        XCTAssertEqual(refused { $0.port = 70000 }, "port")
        XCTAssertEqual(refused { $0.batching.maxBatch = 0 }, "maxBatch")
        XCTAssertEqual(refused { $0.batching.maxDelay = .nan }, "maxDelay")
        XCTAssertEqual(refused { $0.batching.queueCapacity = 4 }, "queueCapacity")
        XCTAssertEqual(refused { $0.batching.timeout = 0 }, "timeout")
        XCTAssertEqual(refused { $0.maxBodyBytes = 10 }, "maxBodyBytes")
        XCTAssertEqual(refused { $0.maxPixels = 0 }, "maxPixels")
    }

    func testTheCommandRefusesBadSettingsAndMissingModelsWithMessages() throws {
        guard let graft = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool is not built") }
        let cases: [([String], String)] = [
            (["serve"], "name a model folder"),
            (["serve", "--backbone", "efficientnet-lite0", "--port", "99999"], "--port must be between 0 and 65535"),
            (["serve", "--backbone", "efficientnet-lite0", "--max-batch", "0"], "--max-batch must be between 1 and 1024"),
            (["serve", "--backbone", "efficientnet-lite0", "--max-delay-ms", "-1"], "--max-delay-ms"),
            (["serve", "--backbone", "efficientnet-lite0", "--max-body-mb", "0"], "--max-body-mb"),
            (["serve", "/nonexistent/run/model"], "/nonexistent/run/model"),
            (["serve", "bad name=/tmp"], "bad name"),
        ]
        for (arguments, message) in cases {
            let result = try graft.run(arguments)
            XCTAssertTrue(result.failedCleanly, "\(arguments): \(result.status) \(result.output)")
            XCTAssertTrue(result.output.contains(message), "\(arguments): \(result.output)")
        }
    }
}
