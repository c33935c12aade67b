import Foundation
import GraftFiles
import XCTest

extension XCTestCase {
    /// A new empty folder, removed after the test.
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("graft-files-\(UUID().uuidString)")
        try createFolder(url)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

final class AtomicWriteTests: XCTestCase {

    private func contents(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    func testAFileIsReplacedWholeAndNoTemporaryStays() throws {
        let folder = try temporaryFolder()
        let file = folder.appendingPathComponent("a.json")
        try writeAtomically("old", to: file)
        try writeAtomically("new", to: file)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "new")
        XCTAssertEqual(contents(folder), ["a.json"])
    }

    func testAFailedWriteIsASentenceNamingThePathAndLeavesNothing() throws {
        let folder = try temporaryFolder()
        let blocker = folder.appendingPathComponent("out")
        try writeAtomically("I am a file", to: blocker)
        let target = blocker.appendingPathComponent("model.json")
        XCTAssertThrowsError(try writeAtomically("x", to: target)) { error in
            XCTAssertEqual("\(error)", "cannot write \(target.path): Not a directory")
        }
        XCTAssertThrowsError(try createFolder(blocker.appendingPathComponent("model"))) { error in
            XCTAssertEqual("\(error)", "cannot create the folder \(blocker.path): a file of that name exists")
        }
        XCTAssertEqual(contents(folder), ["out"])
    }

    func testFoundationErrorsBecomeTheirPOSIXReason() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("graft-missing-\(UUID().uuidString)/x")
        XCTAssertThrowsError(try Data().write(to: missing)) { error in
            XCTAssertEqual(FileSystemError("write", missing.path, error: error).description,
                           "cannot write \(missing.path): No such file or directory")
        }
    }
}

final class FolderReplacementTests: XCTestCase {

    func testAFolderIsReplacedAndAFailedReplacementLeavesTheOldOne() throws {
        let parent = try temporaryFolder()
        let model = parent.appendingPathComponent("model")
        try FolderReplacement.replace(model) { try writeAtomically("1", to: $0.appendingPathComponent("a")) }
        try FolderReplacement.replace(model) { try writeAtomically("2", to: $0.appendingPathComponent("b")) }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: model.path), ["b"])
        struct Boom: Error {}
        XCTAssertThrowsError(try FolderReplacement.replace(model) { staging in
            try writeAtomically("3", to: staging.appendingPathComponent("b"))
            throw Boom()
        })
        XCTAssertEqual(try String(contentsOf: model.appendingPathComponent("b"), encoding: .utf8), "2")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.path), ["model"], "staging folders stayed behind")
    }

    /// A reader in another thread always finds two files that belong together (each replacement
    /// swaps the folder; the reader reads again when the folder it read from was swapped away).
    func testAReaderNeverSeesAMixOfOldAndNew() throws {
        let model = try temporaryFolder().appendingPathComponent("model")
        try FolderReplacement.replace(model) { staging in
            for name in ["config", "weights"] { try writeAtomically("0", to: staging.appendingPathComponent(name)) }
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var mismatches: [String] = []
        nonisolated(unsafe) var reads = 0
        nonisolated(unsafe) var stop = false
        let lock = NSLock()
        Thread {
            while !lock.withLock({ stop }) {
                let pair = try? FolderReplacement.readConsistently(model) { folder in
                    (try String(contentsOf: folder.appendingPathComponent("config"), encoding: .utf8),
                     try String(contentsOf: folder.appendingPathComponent("weights"), encoding: .utf8))
                }
                let config = pair?.0, weights = pair?.1
                lock.withLock {
                    reads += 1
                    if let config, let weights, config != weights { mismatches.append("\(config) / \(weights)") }
                    if config == nil || weights == nil { mismatches.append("a file was missing") }
                }
            }
            done.signal()
        }.start()
        for version in 1...200 {
            try FolderReplacement.replace(model) { staging in
                for name in ["config", "weights"] { try writeAtomically("\(version)", to: staging.appendingPathComponent(name)) }
            }
        }
        lock.withLock { stop = true }
        done.wait()
        XCTAssertGreaterThan(reads, 0)
        XCTAssertEqual(mismatches, [])
    }
}

final class FolderLockTests: XCTestCase {
    func testASecondClaimIsRefusedWithTheHolderAndAReleasedOneIsTakenOver() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("graft-lock-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        var first: FolderLock? = try FolderLock(folder)
        XCTAssertThrowsError(try FolderLock(folder)) { error in
            XCTAssertEqual(error as? FolderLockError, .held(folder: folder.path, processID: getpid()))
            XCTAssertTrue("\(error)".contains("in use by another graft run (process \(getpid()))"), "\(error)")
        }
        XCTAssertNotNil(first)
        first = nil
        XCTAssertNoThrow(try FolderLock(folder))
    }

    func testALockLeftByAKilledProcessIsTakenOver() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("graft-lock-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        try createFolder(folder)
        let lockFile = folder.appendingPathComponent(FolderLock.fileName)
        // Another process holds the lock (with flock(2), in one process: a tool that runs a child
        // would leave the child holding it), then dies by SIGKILL.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
        holder.arguments = ["-e", "use Fcntl ':flock'; open(my $f, '>>', $ARGV[0]) or die; flock($f, LOCK_EX) or die; sleep 30",
                            lockFile.path]
        try holder.run()
        defer { if holder.isRunning { holder.terminate() } }
        var refused = false
        for _ in 0..<100 where !refused {
            do { _ = try FolderLock(folder); usleep(20_000) } catch FolderLockError.held { refused = true }
        }
        XCTAssertTrue(refused, "the other process's lock was not seen")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        XCTAssertNoThrow(try FolderLock(folder))
    }
}

final class LeftoverTests: XCTestCase {
    /// A writer killed mid-write leaves its staging folder or temporary file; the next write
    /// removes it, but not what a writer that is still alive is writing.
    func testStagingFoldersOfDeadWritersAreRemoved() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("graft-files-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: parent) }
        let model = parent.appendingPathComponent("model")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = parent.appendingPathComponent(".model.staging-\(child.processIdentifier)-deadbeef")
        let alive = parent.appendingPathComponent(".model.staging-\(getpid())-cafef00d")
        for folder in [dead, alive] { try createFolder(folder) }
        let deadPartial = parent.appendingPathComponent(".history.json.partial-\(child.processIdentifier)-0badf00d")
        try writeAtomically("half", to: deadPartial)
        try FolderReplacement.replace(model) { try writeAtomically("1", to: $0.appendingPathComponent("a")) }
        try writeAtomically("[]", to: parent.appendingPathComponent("history.json"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: parent.path).sorted(),
                       [alive.lastPathComponent, "history.json", "model"])
    }
}
