import Foundation
import XCTest

/// Runs the built `graft` tool, found beside the test bundle (the bundle is the build's bin
/// folder, or lies inside it, on Linux).
struct GraftCommandLine {
    struct Outcome {
        let status: Int32
        /// Whether the process ended by exiting (rather than by a signal).
        let exited: Bool
        let standardOutput: String
        let standardError: String

        /// An error exit: a status of 1...127, never a crash.
        var failedCleanly: Bool { exited && (1...127).contains(status) }
    }

    let binary: URL

    init(for test: AnyClass) throws {
        let bundle = Bundle(for: test).bundleURL
        let candidates = [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("graft") }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("graft is not beside \(bundle.path): build with --build-tests (make test does)")
        }
        self.binary = binary
    }

    /// Standard output and error go to files, so a talkative run cannot fill a pipe and stall.
    /// `environment` is merged into the test's own; the `unset` variables are left out.
    func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:],
             unset: [String] = []) throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("graft-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout"), err = scratch.appendingPathComponent("stderr")
        for file in [out, err] { try Data().write(to: file) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter { !unset.contains($0.key) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, exited: process.terminationReason == .exit,
                       standardOutput: try String(contentsOf: out, encoding: .utf8),
                       standardError: try String(contentsOf: err, encoding: .utf8))
    }
}

/// Every path under `folder` with its kind, and a file's size and date (or "link -> target"), to
/// show a command left its inputs as they were.
func snapshot(of folder: URL) throws -> [String: String] {
    var entries: [String: String] = [:]
    let manager = FileManager.default
    guard let enumerator = manager.enumerator(atPath: folder.path) else { return [:] }
    while let relative = enumerator.nextObject() as? String {
        let path = folder.appendingPathComponent(relative).path
        let attributes = try manager.attributesOfItem(atPath: path)
        if attributes[.type] as? FileAttributeType == .typeSymbolicLink {
            entries[relative] = "link -> " + (try manager.destinationOfSymbolicLink(atPath: path))
        } else if attributes[.type] as? FileAttributeType == .typeDirectory {
            // A folder's own date moves with any entry made and removed in it, even by the test.
            entries[relative] = "folder"
        } else {
            entries[relative] = "\(attributes[.type] ?? "?") \(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? "")"
        }
    }
    return entries
}
