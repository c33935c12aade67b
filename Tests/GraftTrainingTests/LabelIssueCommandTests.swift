import Foundation
import GraftData
import GraftTestSupport
@testable import GraftTraining
import XCTest

/// `graft train` looks for label issues and near-duplicates after stage 1: label_issues.csv, the
/// report's section, the summary line, the flags that tune or switch it off.
final class LabelIssueCommandTests: TrainingTestCase {
    var graft: GraftProcess!

    override func setUpWithError() throws {
        guard let built = GraftProcess.built(near: Self.self) else {
            throw XCTSkip("the graft tool is not beside the tests; `make test` builds it")
        }
        graft = built
    }

    private func train(_ data: URL, out: URL, _ extra: [String] = []) -> [String] {
        ["train", data.path, "--out", out.path, "--random-init", "--backbone", "mobilenetv2", "--image-size", "32",
         "--batch-size", "8", "--epochs", "2", "--fine-tune-epochs", "1", "--seed", "5"] + extra
    }

    /// The synthetic folder with a blue training image copied into the red folder (a wrong label)
    /// and a green training image copied into the validation set (a leak).
    private func plantedFolder() throws -> (root: URL, flipped: URL, original: URL, leak: URL) {
        let root = try SyntheticImages.folder(trainPerClass: 8, validationPerClass: 4)
        let train = root.appendingPathComponent("train")
        let flipped = train.appendingPathComponent("red/planted-blue.png")
        try FileManager.default.copyItem(at: train.appendingPathComponent("blue/3.png"), to: flipped)
        let original = train.appendingPathComponent("green/5.png")
        let leak = root.appendingPathComponent("validation/green/leaked.png")
        try FileManager.default.copyItem(at: original, to: leak)
        return (root, flipped, original, leak)
    }

    func testTrainWritesLabelIssuesCSVAndAReportSectionAndPrintsASummaryLine() throws {
        let planted = try plantedFolder()
        let out = temporaryDirectory()
        defer { for folder in [planted.root, out] { try? FileManager.default.removeItem(at: folder) } }
        let result = try graft.run(train(planted.root, out: out, ["--label-issues-shown", "3"]))
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("near-duplicates across splits: see \(out.path)/label_issues.csv"), result.output)
        XCTAssertTrue(result.output.contains("label issues: "), "the closing summary repeats it: \(result.output)")

        let csv = try String(contentsOf: out.appendingPathComponent("label_issues.csv"), encoding: .utf8)
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.first?.joined(separator: ","), LabelIssues.csvHeader)
        XCTAssertTrue(rows.dropFirst().allSatisfy { $0.count == 11 && ["label", "duplicate"].contains($0[0]) }, csv)
        // The leaked copy is the same image: similarity 1, paired with its original.
        let leak = try XCTUnwrap(rows.first { $0[0] == "duplicate" && $0[8] == planted.leak.path }, csv)
        XCTAssertEqual(leak[2], planted.original.path)
        XCTAssertEqual([leak[3], leak[9]], ["green", "green"])
        XCTAssertEqual(Double(leak[10]) ?? 0, 1, accuracy: 1e-4)
        print("planted wrong label: " + (rows.first { $0[0] == "label" && $0[2] == planted.flipped.path }.map { "rank \($0[1]) of \(rows.filter { $0[0] == "label" }.count)" } ?? "not found"))
        for row in rows.dropFirst() where row[0] == "label" {
            XCTAssertNotEqual(row[3], row[4], "a suggestion differs from the given label")
            XCTAssertGreaterThan(Double(row[7]) ?? 0, Double(row[6]) ?? 1, "the suggested class is the more probable")
        }
        // Ranks count from 1 within each kind, in order.
        for kind in ["label", "duplicate"] {
            let ranks = rows.filter { $0[0] == kind }.map { Int($0[1]) ?? 0 }
            XCTAssertEqual(ranks, Array(stride(from: 1, through: ranks.count, by: 1)))
        }

        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(report.contains("<h2>Label issues and near-duplicates</h2>"))
        XCTAssertTrue(report.contains("<h3>Near-duplicates across splits</h3>"))
        let section = String(report[try XCTUnwrap(report.range(of: "<h2>Label issues")).lowerBound...])
        XCTAssertLessThanOrEqual(section.components(separatedBy: "<figure").count - 1, 6, "at most 3 of each kind shown")
        XCTAssertTrue(section.contains("data:image/jpeg;base64,"), "thumbnails are embedded")
    }

    func testNoLabelIssuesSkipsTheSearchAndTheFile() throws {
        let data = try dataset().root
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let result = try graft.run(train(data, out: out, ["--no-label-issues"]))
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("label_issues.csv").path))
        XCTAssertFalse(result.output.contains("likely label issue"), result.output)
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertFalse(report.contains("Label issues and near-duplicates"))
    }

    func testBadLabelIssueFlagsAreRefusedBeforeAnyWork() throws {
        let data = try dataset().root
        let out = temporaryDirectory()
        for (flags, message) in [
            (["--duplicate-threshold", "1.5"], "--duplicate-threshold must be a finite number in (0, 1], not 1.5"),
            (["--duplicate-threshold", "0"], "--duplicate-threshold must be a finite number in (0, 1], not 0.0"),
            (["--duplicate-threshold", "nan"], "--duplicate-threshold must be a finite number in (0, 1], not nan"),
            (["--label-issue-folds", "1"], "--label-issue-folds must be between 2 and 50, not 1"),
            (["--label-issues-shown=-2"], "--label-issues-shown must be between 0 and 1000, not -2"),
        ] {
            let result = try graft.run(train(data, out: out, flags))
            XCTAssertTrue(result.failedCleanly, "\(flags): status \(result.status): \(result.output)")
            XCTAssertTrue(result.output.contains(message), "'\(message)' not in: \(result.output)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "nothing written for \(flags)")
        }
    }
}
