import Foundation
import XCTest

/// `graft weights` tells a ResNet-50 or VGG16 user to bring a checkpoint with --weights.
final class WeightsCommandTests: XCTestCase {
    func testFetchAndListNameWeightsFileForBackbonesWithNothingToFetch() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("graft-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let fetch = try graft.run(["weights", "fetch", "resnet50"], environment: ["GRAFT_HOME": home.path])
        XCTAssertTrue(fetch.failedCleanly, "\(fetch.status) \(fetch.standardError)")
        XCTAssertTrue(fetch.standardError.contains("resnet50 has no weights that can be fetched here"), fetch.standardError)
        XCTAssertTrue(fetch.standardError.contains("--weights FILE"), fetch.standardError)
        XCTAssertFalse(fetch.standardError.contains("known:"), "not an unknown name: \(fetch.standardError)")

        let list = try graft.run(["weights", "list"], environment: ["GRAFT_HOME": home.path])
        XCTAssertEqual(list.status, 0, list.standardError)
        for name in ["resnet50", "vgg16"] {
            let line = list.standardOutput.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            XCTAssertTrue(line?.contains("pass a torchvision checkpoint with --weights FILE") == true, list.standardOutput)
        }
        let help = try graft.run(["weights", "fetch", "--help"])
        XCTAssertTrue(help.standardOutput.contains("--weights FILE"), help.standardOutput)
    }
}
