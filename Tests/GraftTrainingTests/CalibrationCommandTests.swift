import Foundation
import XCTest

/// `graft train` on a tiny set writes the fitted temperature into config.json and the
/// reliability diagram beside the report, and says so; `graft info MODEL` prints it;
/// `--calibration none` fits nothing; a value that is not a method is refused by its flag.
final class CalibrationCommandTests: XCTestCase {
    private func arguments(_ data: URL, out: URL, _ extra: [String] = []) -> [String] {
        ["train", data.path, "--out", out.path, "--backbone", "mobilenetv2", "--random-init", "--image-size", "32",
         "--epochs", "2", "--fine-tune-epochs", "0", "--batch-size", "4", "--lr", "0.01"] + extra
    }

    func testTrainWritesTheTemperatureAndTheReliabilityDiagram() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let data = try SyntheticImages.folder(trainPerClass: 4, validationPerClass: 3)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("graft-calibration-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: work)
        }
        let out = work.appendingPathComponent("run")
        let trained = try graft.run(arguments(data, out: out))
        XCTAssertEqual(trained.status, 0, trained.standardError + trained.standardOutput)
        let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("model/config.json")))
                                   as? [String: Any])
        let calibration = try XCTUnwrap(config["calibration"] as? [String: Any], "\(config)")
        let temperature = try XCTUnwrap(calibration["temperature"] as? Double)
        XCTAssertGreaterThan(temperature, 0)
        XCTAssertEqual(calibration["validation_images"] as? Int, 9)
        XCTAssertTrue(trained.standardOutput.contains("calibration: temperature \(String(format: "%.4g", temperature)) (fitted on 9 validation images): ECE "),
                      trained.standardOutput)
        XCTAssertTrue(trained.standardOutput.contains("reliability diagram: \(out.path)/reliability.svg"), trained.standardOutput)
        let svg = try String(contentsOf: out.appendingPathComponent("reliability.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("Reliability on 9 validation images"), svg)

        let info = try graft.run(["info", out.appendingPathComponent("model").path])
        XCTAssertEqual(info.status, 0, info.standardError)
        XCTAssertTrue(info.standardOutput.contains("calibration temperature \(String(format: "%.4g", temperature)) (fitted on 9 validation images): ECE "),
                      info.standardOutput)
        XCTAssertTrue(info.standardOutput.contains("classes     3: blue, green, red"), info.standardOutput)

        let off = work.appendingPathComponent("off")
        let plain = try graft.run(arguments(data, out: off, ["--calibration", "none"]))
        XCTAssertEqual(plain.status, 0, plain.standardError + plain.standardOutput)
        let offConfig = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: off.appendingPathComponent("model/config.json")))
                                      as? [String: Any])
        XCTAssertNil(offConfig["calibration"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: off.appendingPathComponent("reliability.svg").path))
        XCTAssertTrue(plain.standardOutput.contains("calibration: switched off"), plain.standardOutput)
        // The weights are the same: calibration changes none.
        XCTAssertEqual(try Data(contentsOf: off.appendingPathComponent("model/model.safetensors")),
                       try Data(contentsOf: out.appendingPathComponent("model/model.safetensors")))
        let uncalibrated = try graft.run(["info", off.appendingPathComponent("model").path])
        XCTAssertTrue(uncalibrated.standardOutput.contains("calibration none: the probabilities are the softmax of the logits (T = 1)"),
                      uncalibrated.standardOutput)

        let refused = try graft.run(arguments(data, out: work.appendingPathComponent("refused"), ["--calibration", "platt"]))
        XCTAssertTrue(refused.failedCleanly, "\(refused.status)")
        XCTAssertTrue(refused.standardError.contains("--calibration"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("refused").path))
    }
}
