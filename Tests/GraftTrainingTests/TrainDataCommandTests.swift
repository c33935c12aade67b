import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `graft train` on hostile folders: a class folder not named in UTF-8 stops the run naming it,
/// a link back up is skipped by name and counts nothing twice, and --validation-fraction 0
/// trains on every image.
final class TrainDataCommandTests: XCTestCase {
    private func arguments(_ data: URL, out: URL, _ extra: [String] = []) -> [String] {
        ["train", data.path, "--out", out.path, "--backbone", "mobilenetv2", "--random-init", "--image-size", "32",
         "--epochs", "1", "--fine-tune-epochs", "0", "--batch-size", "4"] + extra
    }

    func testHostileFoldersAreNamedAndNothingCountsTwice() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let data = try SyntheticImages.folder(trainPerClass: 3, validationPerClass: 0, classNames: ["blue", "green"])
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("graft-train-data-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: data)
            try? FileManager.default.removeItem(at: work)
        }
        // A plain class folder, no validation split.
        let classes = data.appendingPathComponent("train")
        try FileManager.default.removeItem(at: data.appendingPathComponent("validation"))
        try FileManager.default.createSymbolicLink(atPath: classes.appendingPathComponent("blue/loop").path, withDestinationPath: "..")

        let zero = try graft.run(arguments(classes, out: work.appendingPathComponent("zero"), ["--validation-fraction", "0"]))
        XCTAssertEqual(zero.status, 0, zero.standardError + zero.standardOutput)
        XCTAssertTrue(zero.standardOutput.contains("train: 6 images"), zero.standardOutput)
        XCTAssertFalse(zero.standardOutput.contains("validation: "), zero.standardOutput)
        XCTAssertTrue(zero.standardOutput.contains("warning: no validation images, so best-epoch selection and early stopping"),
                      zero.standardOutput)
        let warnings = zero.standardOutput + zero.standardError
        XCTAssertTrue(warnings.contains("skipping \(classes.path)/blue/loop: a symbolic link back to \(classes.path)"), warnings)

        let before = try snapshot(of: data)
        let raw = (Array(classes.path.utf8) + [0x2F] + Array("gr".utf8) + [0xFC, 0x6E, 0]).map { CChar(bitPattern: $0) }
        XCTAssertEqual(mkdir(raw, 0o755), 0)   // "grün" in Latin-1
        let refused = try graft.run(arguments(classes, out: work.appendingPathComponent("refused")))
        XCTAssertTrue(refused.failedCleanly, "\(refused.status)")
        XCTAssertTrue(refused.standardError.contains("\(classes.path)/gr\\xfcn: the folder's name is not valid UTF-8"), refused.standardError)
        XCTAssertFalse(refused.standardError.contains("found 1 class"), refused.standardError)
        XCTAssertFalse(FileManager.default.fileExists(atPath: work.appendingPathComponent("refused/model").path))
        rmdir(raw)
        XCTAssertEqual(try snapshot(of: data), before, "the data is left as it was")
    }
}
