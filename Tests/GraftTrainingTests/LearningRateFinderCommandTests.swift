import Foundation
import GraftTestSupport
import XCTest

/// `graft lr-find` as a user runs it: the recipe's flags, a suggestion printed, the plot and the
/// numbers written; bad values refused by flag before any work.
final class LearningRateFinderCommandTests: TrainingTestCase {
    func testLrFindPrintsASuggestionAndWritesThePlotAndTheNumbers() throws {
        let graft = try XCTUnwrap(GraftProcess.built(near: Self.self), "make test builds graft beside the tests")
        let data = try dataset().root
        let out = temporaryDirectory()
        let recipe = [data.path, "--random-init", "--backbone", "mobilenetv2", "--image-size", "32", "--batch-size", "8", "--seed", "5"]
        let head = try graft.run(["lr-find"] + recipe + ["--out", out.path])
        XCTAssertEqual(head.status, 0, head.output)
        XCTAssertTrue(head.output.contains("head stage: "), head.output)
        XCTAssertTrue(head.output.contains("suggested learning rate: "), head.output)
        for name in ["lr_find.svg", "lr_find.csv", "lr_find.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), name)
        }
        let rows = try String(contentsOf: out.appendingPathComponent("lr_find.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThan(rows.count, 20)
        XCTAssertLessThanOrEqual(rows.count, 201, "the head's sweep is 200 steps at most")

        let fineTune = try graft.run(["lr-find"] + recipe + ["--out", out.path, "--stage", "fine-tune", "--epochs", "1", "--steps", "10"])
        XCTAssertEqual(fineTune.status, 0, fineTune.output)
        XCTAssertTrue(fineTune.output.contains("training the head first: 1 epochs"), fineTune.output)
        XCTAssertTrue(fineTune.output.contains("fine-tune stage: "), fineTune.output)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("lr_find.json"))) as? [String: Any]
        XCTAssertEqual(json?["stage"] as? String, "fine-tune")

        for (flags, message) in [(["--steps", "0"], "--steps must be between 10 and 100000, not 0"),
                                 (["--start-lr", "1", "--end-lr", "0.1"], "--end-lr must be above --start-lr"),
                                 (["--batch-size", "0"], "--batch-size must be between 1 and 4096, not 0"),
                                 (["--out", ""], "--out must name a folder")] {
            let fresh = temporaryDirectory()
            let refused = try graft.run(["lr-find", data.path, "--out", fresh.path] + flags)
            XCTAssertTrue(refused.failedCleanly, refused.output)
            XCTAssertTrue(refused.output.contains(message), "'\(message)' not in: \(refused.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path), "a refused run wrote its folder")
        }
    }
}
