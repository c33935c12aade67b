import Foundation

/// Busy processes that compete for the CPUs while a benchmark runs: the laptop doing other work
/// or the shared server, made reproducible (`graft bench model --load N`). Each is a shell loop
/// that spins until it is stopped or its parent is gone, so none outlives a killed benchmark.
public final class CompetingLoad {
    public static let maximumProcesses = 256
    private var processes: [Process] = []

    /// Starts `count` busy processes (none for 0).
    public init(processes count: Int) throws {
        guard (0...Self.maximumProcesses).contains(count) else {
            throw ModelBenchmarkError.invalidSetting("competing processes \(count) must be between 0 and \(Self.maximumProcesses)")
        }
        let parent = ProcessInfo.processInfo.processIdentifier
        for _ in 0..<count {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            // `kill -0` (a shell builtin) checks the parent every 100,000 turns of the loop.
            process.arguments = ["-c", "while kill -0 \(parent) 2>/dev/null; do i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; done"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            do { try process.run() } catch {
                stop()
                throw ModelBenchmarkError.invalidSetting("cannot start a competing process (/bin/sh): \(error)")
            }
            processes.append(process)
        }
    }

    public var count: Int { processes.count }

    /// Ends every process and waits for it.
    public func stop() {
        // SIGKILL: a process started by one that ignores SIGTERM (to handle it itself, as
        // graft's commands do) inherits the ignoring.
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for process in processes { process.waitUntilExit() }
        processes = []
    }

    deinit { stop() }
}
