import Foundation
import Graft
import GraftTestSupport
import XCTest

/// `graft export` as a user runs it: a saved model folder to a file, and every bad input refused
/// with a message that names it, exit status 1...127, no file (and an older file left as it was).
final class ExportCommandTests: ExportTestCase {
    private var graft: GraftProcess!
    private var modelFolder: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        guard let built = GraftProcess.built(near: Self.self) else {
            throw XCTSkip("the graft tool is not beside the tests; `make test` builds it")
        }
        graft = built
        modelFolder = scratch.appendingPathComponent("model")
        let classifier = ImageClassifier(backbone: BackboneKind.mobileNetV2.makeFeatureExtractor(seed: 1), kind: .mobileNetV2,
                                         classNames: ["a", "b", "c"], imageSize: 32, seed: 2)
        try classifier.save(to: modelFolder)
    }

    func testExportingAModelFolderWritesTheFileAndSaysWhatItHolds() throws {
        let out = scratch.appendingPathComponent("model.onnx")
        let result = try graft.run(["export", modelFolder.path, "--out", out.path, "--batch", "3", "--output", "logits", "--opset", "13"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("wrote \(out.path): mobilenetv2, 3 classes, opset 13"), result.output)
        XCTAssertTrue(result.output.contains("input   input (3, 3, 32, 32) float32"), result.output)
        XCTAssertTrue(result.output.contains("outputs logits (3, 3)"), result.output)
        XCTAssertGreaterThan((try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int) ?? 0, 8_000_000)
        XCTAssertEqual(leftovers(scratch), [])
    }

    /// What benchmarks/onnx_runtime_bench.py times ONNX Runtime on: the benchmark's own network.
    func testModelBenchmarkWritesTheNetworkItTimes() throws {
        let out = scratch.appendingPathComponent("bench.onnx")
        let result = try graft.run(["bench", "model", "--backbone", "mobilenetv2", "--mode", "inference", "--batch-size", "1",
                                    "--image-size", "32", "--iterations", "1", "--json", "--onnx", out.path])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("\"images_per_second\""), result.output)
        XCTAssertGreaterThan((try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int) ?? 0, 8_000_000)
    }

    private func assertRefused(_ arguments: [String], naming fragments: [String], environment: [String: String] = [:],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        let out = scratch.appendingPathComponent("old.onnx")
        try Data("an older file".utf8).write(to: out)
        let result = try graft.run(["export"] + arguments.map { $0 == "OUT" ? out.path : $0 }, environment: environment)
        XCTAssertTrue(result.failedCleanly, "status \(result.status), \(result.reason): \(result.output)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(result.output.contains(fragment), "'\(fragment)' not in: \(result.output)", file: file, line: line)
        }
        XCTAssertFalse(result.output.contains("Fatal error"), result.output, file: file, line: line)
        XCTAssertEqual(try String(contentsOf: out, encoding: .utf8), "an older file", "the old file changed", file: file, line: line)
        XCTAssertEqual(leftovers(scratch), [], file: file, line: line)
    }

    func testBadInputsAreRefusedByName() throws {
        let missing = scratch.appendingPathComponent("no-such-model").path
        try assertRefused([missing, "--out", "OUT"], naming: [missing])
        try assertRefused(["--out", "OUT"], naming: ["name a model folder, or a pretrained classifier with --backbone"])
        try assertRefused([modelFolder.path, "--backbone", "mobilenetv2", "--out", "OUT"], naming: ["not both"])
        try assertRefused([modelFolder.path, "--weights", "x.pth", "--out", "OUT"], naming: ["--weights goes with --backbone"])
        try assertRefused([modelFolder.path, "--out", "OUT", "--opset", "12"], naming: ["--opset must be between 13 and 21, not 12"])
        try assertRefused([modelFolder.path, "--out", "OUT", "--batch", "0"], naming: ["--batch must be between 1 and 4096, not 0"])
        try assertRefused([modelFolder.path, "--out", "OUT", "--batch", "many"], naming: ["--batch must be 'dynamic' or a number, not 'many'"])
        try assertRefused([modelFolder.path, "--out", "OUT", "--output", "scores"], naming: ["scores"])
        try assertRefused([modelFolder.path, "--out", scratch.path], naming: ["is a folder"])
        let nowhere = scratch.appendingPathComponent("missing/model.onnx").path
        try assertRefused([modelFolder.path, "--out", nowhere], naming: ["the folder \(scratch.path)/missing does not exist"])
        // An empty cache: ResNet-50's weights can be fetched, but are not there.
        try assertRefused(["--backbone", "resnet50", "--out", "OUT"], naming: ["resnet50 is not on this machine", "graft weights fetch resnet50"],
                          environment: ["GRAFT_HOME": scratch.appendingPathComponent("empty-cache").path])
        let broken = scratch.appendingPathComponent("broken")
        try FileManager.default.copyItem(at: modelFolder, to: broken)
        try Data("{".utf8).write(to: broken.appendingPathComponent("config.json"))
        try assertRefused([broken.path, "--out", "OUT"], naming: ["config.json"])
    }

    /// The export works, the write fails (no file can be created in /proc, even by root): a sentence, no file.
    func testAnUnwritableDestinationFailsWithASentence() throws {
        let result = try graft.run(["export", modelFolder.path, "--out", "/proc/graft-export-test.onnx"])
        XCTAssertTrue(result.failedCleanly, "status \(result.status): \(result.output)")
        XCTAssertTrue(result.output.contains("/proc/graft-export-test.onnx"), result.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/proc/graft-export-test.onnx"))
    }
}
