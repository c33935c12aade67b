import Foundation

/// A child process whose standard output and error go to one temporary file, so that a chatty
/// child cannot fill a pipe and stall: how the tests run `graft` and the Python tools.
public enum LoggedProcess {
    /// Starts `executable arguments` with exactly `environment`; returns the process and its log.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String],
                             in directory: URL? = nil) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("graft-process-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try? handle.close()
        return (process, log)
    }

    /// Waits for `process`, then reads and removes its log.
    public static func finish(_ process: Process, log: URL) -> (status: Int32, reason: Process.TerminationReason, output: String) {
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: log)
        return (process.terminationStatus, process.terminationReason, output)
    }
}
