import Foundation
import XCTest

/// `graft train` and `graft evaluate` over a label file and with --classes, run as a user runs
/// them: a good file trains and evaluates; a faulty row, an unknown class or a column flag
/// without --labels fails cleanly, naming the line, class or flag, with no model written.
final class LabelFileCommandTests: XCTestCase {
    private func arguments(_ data: URL, out: URL, _ extra: [String]) -> [String] {
        ["train", data.path, "--out", out.path, "--backbone", "mobilenetv2", "--random-init", "--image-size", "32",
         "--epochs", "1", "--fine-tune-epochs", "0", "--batch-size", "4"] + extra
    }

    func testTrainingAndEvaluatingFromALabelFile() throws {
        let graft = try GraftCommandLine(for: Self.self)
        // Class folders give the images; the label file lists them flat, with its own split.
        let data = try SyntheticImages.folder(trainPerClass: 4, validationPerClass: 2)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("graft-labels-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: work)
        }
        var rows = ["id,colour,fold"]
        for (split, count) in [("train", 4), ("validation", 2)] {
            for name in SyntheticImages.classNames {
                for i in 0..<count { rows.append("\(split)/\(name)/\(i).png,\(name),\(split == "train" ? "train" : "valid")") }
            }
        }
        let labels = work.appendingPathComponent("labels.csv")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try Data(rows.joined(separator: "\n").utf8).write(to: labels)
        let columns = ["--labels", labels.path, "--file-column", "id", "--label-column", "colour", "--split-column", "fold"]

        let out = work.appendingPathComponent("run")
        let trained = try graft.run(arguments(data, out: out, columns + ["--classes", "red,blue"]))
        XCTAssertEqual(trained.status, 0, trained.standardError + trained.standardOutput)
        XCTAssertTrue(trained.standardOutput.contains("\(labels.path): 2 classes, images in \(data.path)"), trained.standardOutput)
        XCTAssertTrue(trained.standardOutput.contains("left out 1 (green, 6 images)"), trained.standardOutput)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("model/config.json"))) as? [String: Any]
        XCTAssertEqual(config?["class_names"] as? [String], ["red", "blue"])

        // evaluate scores the validation rows, in the model's classes (green left out).
        let evaluated = try graft.run(["evaluate", out.appendingPathComponent("model").path, data.path] + columns + ["--json"])
        XCTAssertEqual(evaluated.status, 0, evaluated.standardError)
        XCTAssertTrue(evaluated.standardError.contains("scoring validation of \(labels.path): 4 images"), evaluated.standardError)

        // A faulty row fails before any work, naming the line; nothing is written.
        let before = try snapshot(of: data)
        try Data((rows + ["train/red/9.png,red,train"]).joined(separator: "\n").utf8).write(to: labels)
        let refused = try graft.run(arguments(data, out: work.appendingPathComponent("refused"), columns))
        XCTAssertTrue(refused.failedCleanly, "\(refused.status): \(refused.standardError)")
        XCTAssertTrue(refused.standardError.contains("\(labels.path), line 20: \(data.path)/train/red/9.png: No such file or directory"),
                      refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("refused/model").path))
        XCTAssertEqual(try snapshot(of: data), before)

        let unknown = try graft.run(arguments(data, out: work.appendingPathComponent("unknown"), ["--classes", "red,purple"]))
        XCTAssertTrue(unknown.failedCleanly, "\(unknown.status)")
        XCTAssertTrue(unknown.standardError.contains("no class 'purple' (of the classes asked for); it has 3: blue, green, red"),
                      unknown.standardError)
        let repeated = try graft.run(arguments(data, out: work.appendingPathComponent("repeated"), ["--classes", "red,red"]))
        XCTAssertTrue(repeated.failedCleanly && repeated.standardError.contains("--classes must be distinct names"), repeated.standardError)
        let stray = try graft.run(arguments(data, out: work.appendingPathComponent("stray"), ["--split-column", "fold"]))
        XCTAssertTrue(stray.failedCleanly && stray.standardError.contains("--split-column names a column of the label file: give --labels FILE"),
                      stray.standardError)
    }
}
