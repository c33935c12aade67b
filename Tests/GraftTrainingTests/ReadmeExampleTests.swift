import Foundation
import GraftModels
import XCTest

/// The README's Swift example is `Examples/ReadmeExample/main.swift` word for word, and that
/// program (built with the package) trains, writes its outputs and evaluates.
final class ReadmeExampleTests: XCTestCase {
    private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testTheReadmeShowsTheExampleProgram() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let program = try String(contentsOf: packageRoot.appendingPathComponent("Examples/ReadmeExample/main.swift"), encoding: .utf8)
        let start = try XCTUnwrap(readme.range(of: "```swift\n"), "the README has no Swift example")
        let end = try XCTUnwrap(readme.range(of: "```", range: start.upperBound..<readme.endIndex))
        XCTAssertEqual(String(readme[start.upperBound..<end.lowerBound]), program)
    }

    func testTheExampleProgramTrainsAndEvaluates() throws {
        guard let file = BackboneKind.efficientNetLite0.pretrainedFile, WeightsCache().isPresent(file) else {
            throw XCTSkip("EfficientNet-Lite0 weights are not cached; `make test` fetches them")
        }
        // The test bundle lies in the build's bin folder (or is that folder, on Linux).
        let bundle = Bundle(for: Self.self).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("readme-example") }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            return XCTFail("readme-example is not beside \(bundle.path): build with --build-tests (make test does)")
        }
        let data = try SyntheticImages.folder(trainPerClass: 4, validationPerClass: 2)
        let workingDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("graft-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(at: workingDirectory)
            try? FileManager.default.removeItem(at: data)
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = [data.path]
        process.currentDirectoryURL = workingDirectory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertEqual(text.components(separatedBy: "\n").filter { $0.hasPrefix("stage ") && $0.contains(" epoch ") }.count, 10, text)
        XCTAssertTrue(text.contains("stage 2: validation accuracy"), text)
        XCTAssertTrue(text.contains("confusion matrix"), text)
        let run = workingDirectory.appendingPathComponent("runs/example")
        for file in ["model/config.json", "model/model.safetensors", "history.json", "curves.svg", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), file)
        }
    }
}
