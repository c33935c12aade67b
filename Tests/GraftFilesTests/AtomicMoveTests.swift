import Foundation
import GraftFiles
import XCTest

final class AtomicMoveTests: XCTestCase {
    func testAFinishedFileReplacesTheOldOneAndLeavesNoSource() throws {
        let folder = try temporaryFolder()
        let partial = folder.appendingPathComponent("w.pth.partial")
        let target = folder.appendingPathComponent("w.pth")
        try writeAtomically("old", to: target)
        try writeAtomically("new", to: partial)
        try moveIntoPlace(partial, to: target)
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "new")
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
    }

    func testAMissingSourceIsASentenceNamingIt() throws {
        let folder = try temporaryFolder()
        let missing = folder.appendingPathComponent("gone.partial")
        XCTAssertThrowsError(try moveIntoPlace(missing, to: folder.appendingPathComponent("w.pth"))) { error in
            XCTAssertEqual("\(error)", "cannot read \(missing.path): No such file or directory")
        }
    }
}
