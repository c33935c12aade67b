import Foundation
import XCTest

/// Keras weight files on the command line: a file that is not the backbone's is refused by
/// layer name, and one for a backbone Keras' build of which Graft lacks by the list of those
/// that take Keras weights. (Loading a right one is ReferenceParityTests' part.)
final class KerasWeightsCommandTests: XCTestCase {
    private func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GraftCheckpointTests/Fixtures/keras/\(name)").path
    }

    func testKerasFilesThatDoNotFitAreRefusedByName() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let folder = try SyntheticImages.folder(trainPerClass: 1, validationPerClass: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        let photo = try XCTUnwrap(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.first { $0.pathExtension == "png" })
        for file in ["tiny.weights.h5", "tiny_keras2.h5", "tiny_model.h5", "tiny.keras"] {
            let run = try graft.run(["classify", "--backbone", "vgg16", "--weights", fixture(file), photo.path])
            XCTAssertTrue(run.failedCleanly, "\(file): \(run.status) \(run.standardError)")
            XCTAssertTrue(run.standardError.contains(fixture(file)), "\(file): \(run.standardError)")
            XCTAssertTrue(run.standardError.contains("no kernel for layer block1_conv1"), "\(file): \(run.standardError)")
        }
        let run = try graft.run(["classify", "--backbone", "efficientnet-lite0", "--weights", fixture("tiny.keras"), photo.path])
        XCTAssertTrue(run.failedCleanly, run.standardError)
        XCTAssertTrue(run.standardError.contains("no Keras build of efficientnet-lite0"), run.standardError)
        XCTAssertTrue(run.standardError.contains("vgg16-keras"), run.standardError)
    }
}
