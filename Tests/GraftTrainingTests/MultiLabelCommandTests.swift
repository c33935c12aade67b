import Foundation
import XCTest

/// Multi-label classification as a user runs it: `graft train --labels FILE --label-delimiter ' '`
/// trains one sigmoid per class and reports mAP; `evaluate` and `predict` use the saved
/// threshold or `--threshold`; the flags that make no sense without it fail cleanly.
final class MultiLabelCommandTests: XCTestCase {
    func testTrainEvaluateAndPredictMultiLabelData() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let (root, labels) = try MultiLabelImages.folder(trainPerCombination: 3, validationPerCombination: 2)
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("run"), model = out.appendingPathComponent("model")
        let columns = ["--labels", labels.path, "--file-column", "image", "--label-column", "tags", "--split-column", "split",
                       "--label-delimiter", " "]
        let trained = try graft.run(["train", root.path, "--out", out.path, "--backbone", "mobilenetv2", "--random-init",
                                     "--image-size", "32", "--epochs", "2", "--fine-tune-epochs", "0", "--batch-size", "8",
                                     "--threshold", "0.4"] + columns)
        XCTAssertEqual(trained.status, 0, trained.standardError + trained.standardOutput)
        XCTAssertTrue(trained.standardOutput.contains(" mAP "), trained.standardOutput)
        XCTAssertTrue(trained.standardOutput.contains("(accuracy: exact match)"), trained.standardOutput)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: model.appendingPathComponent("config.json"))) as? [String: Any]
        let head = config?["head"] as? [String: Any]
        XCTAssertEqual(head?["output"] as? String, "multi-label")
        XCTAssertEqual(head?["threshold"] as? Double ?? 0, 0.4, accuracy: 1e-6)
        let report = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(report.contains("Per-class metrics (multi-label)"))
        XCTAssertTrue(report.contains("validation mAP"))
        XCTAssertTrue(try String(contentsOf: out.appendingPathComponent("history.csv"), encoding: .utf8).contains(",val_map\n"))

        let evaluated = try graft.run(["evaluate", model.path, root.path, "--json"] + columns)
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        let metrics = try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Any]
        XCTAssertEqual(metrics?["count"] as? Int, 14)
        XCTAssertEqual(metrics?["threshold"] as? Double ?? 0, 0.4, accuracy: 1e-6)
        XCTAssertNotNil(metrics?["mean_average_precision"] as? Double)
        let strict = try graft.run(["evaluate", model.path, root.path, "--threshold", "0.9"] + columns)
        XCTAssertTrue(strict.standardOutput.contains("(threshold 0.90)"), strict.standardOutput)
        let noDelimiter = try graft.run(["evaluate", model.path, root.path] + Array(columns.dropLast(2)))
        XCTAssertTrue(noDelimiter.failedCleanly, "\(noDelimiter.status)")
        XCTAssertTrue(noDelimiter.standardError.contains("is a multi-label model: give its images' classes as --labels FILE --label-delimiter TEXT"),
                      noDelimiter.standardError)

        // predict: every class at or above the threshold, one CSV row per class (or one bare row).
        let images = root.appendingPathComponent("images")
        let table = root.appendingPathComponent("predictions.csv")
        let predicted = try graft.run(["predict", model.path, images.path, "--output", table.path, "--threshold", "0.5"])
        XCTAssertEqual(predicted.status, 0, predicted.standardError)
        let rows = try String(contentsOf: table, encoding: .utf8).split(separator: "\n").dropFirst()
        XCTAssertEqual(Set(rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[0] }).count, 35, "every image has a row")
        for row in rows {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            if let probability = Double(fields[4]) { XCTAssertGreaterThanOrEqual(probability, 0.5, String(row)) }
        }
        let everything = try graft.run(["predict", model.path, images.path, "--threshold", "0.0001", "--json"])
        let all = try JSONSerialization.jsonObject(with: Data(everything.standardOutput.utf8)) as? [[String: Any]]
        XCTAssertEqual(all?.first.flatMap { $0["predictions"] as? [Any] }?.count, 3, "a tiny threshold predicts every class")

        let refused = try graft.run(["predict", model.path, images.path, "--threshold", "1.5"])
        XCTAssertTrue(refused.failedCleanly)
        XCTAssertTrue(refused.standardError.contains("--threshold"), refused.standardError)
    }

    func testMultiLabelFlagsNeedWhatTheyAreFor() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let data = try SyntheticImages.folder(trainPerClass: 2, validationPerClass: 1)
        defer { try? FileManager.default.removeItem(at: data) }
        let delimiter = try graft.run(["train", data.path, "--out", data.appendingPathComponent("run").path, "--label-delimiter", ";"])
        XCTAssertTrue(delimiter.failedCleanly)
        XCTAssertTrue(delimiter.standardError.contains("--label-delimiter splits the label file's label cells: give --labels FILE as well"),
                      delimiter.standardError)
        let head = try graft.run(["train", data.path, "--out", data.appendingPathComponent("run").path, "--head-output", "multi-label",
                                  "--backbone", "mobilenetv2", "--random-init", "--image-size", "32", "--epochs", "1", "--fine-tune-epochs", "0"])
        XCTAssertTrue(head.failedCleanly)
        XCTAssertTrue(head.standardError.contains("softmax or sigmoid for one class per image"), head.standardError)
    }
}
