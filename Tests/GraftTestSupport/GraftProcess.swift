import Foundation
import XCTest

/// The built `graft` tool, run as a user would run it.
public struct GraftProcess {
    public let executable: URL

    public init(executable: URL) { self.executable = executable }

    /// The tool beside the test bundle (the build's bin folder), or nil when it was not built.
    public static func built(near testCase: AnyClass) -> GraftProcess? {
        let bundle = Bundle(for: testCase).bundleURL
        return [bundle, bundle.deletingLastPathComponent()].map { $0.appendingPathComponent("graft") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }.map(GraftProcess.init)
    }

    public struct Result {
        public let status: Int32
        public let reason: Process.TerminationReason
        public let output: String

        /// Ended by exit with a status that says "error", not by a signal.
        public var failedCleanly: Bool { reason == .exit && (1...127).contains(status) }
    }

    /// Starts `graft arguments`, with `environment` on top of this process's and one OpenMP
    /// thread (tests run beside each other's work); output is collected into a file.
    public func start(_ arguments: [String], in directory: URL? = nil, environment extra: [String: String] = [:]) throws -> (Process, URL) {
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_NUM_THREADS"] = "1"
        environment.merge(extra) { $1 }
        return try LoggedProcess.start(executable, arguments, environment: environment, in: directory)
    }

    public func finish(_ process: Process, log: URL) -> Result {
        let ended = LoggedProcess.finish(process, log: log)
        return Result(status: ended.status, reason: ended.reason, output: ended.output)
    }

    public func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let (process, log) = try start(arguments, in: directory, environment: environment)
        return finish(process, log: log)
    }
}

/// Every file below `root` with its size and contents' hash, to show that a failed command
/// left its inputs alone.
public func snapshot(_ root: URL) -> [String: Int] {
    var result: [String: Int] = [:]
    guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return result }
    for case let url as URL in walker {
        if let data = try? Data(contentsOf: url) { result[url.path] = data.hashValue ^ data.count }
    }
    return result
}

/// Names of leftovers a half-finished write would leave (staging folders, temporary files).
public func leftovers(_ root: URL) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    return walker.compactMap { $0 as? String }.filter { $0.contains(".partial") || $0.contains(".staging-") || $0.contains(".previous") }
}
