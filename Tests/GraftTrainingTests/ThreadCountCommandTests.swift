import Foundation
import XCTest

/// `graft info`'s thread count follows what the process may use: its CPU affinity (`taskset`) and a
/// real cgroup CPU quota, made by the test where the machine lets it (root, a writable cgroup
/// file system), unless OMP_NUM_THREADS says otherwise.
final class ThreadCountCommandTests: XCTestCase {
    private func threads(_ command: String, graft: GraftCommandLine, environment: [String: String] = [:]) throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["OMP_NUM_THREADS"] = nil
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command.replacingOccurrences(of: "GRAFT", with: "'\(graft.binary.path)'")]
        process.environment = env.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        return output.split(separator: "\n").first { $0.hasPrefix("threads") }.map { String($0.dropFirst(7)).trimmingCharacters(in: .whitespaces) } ?? output
    }

    func testAffinityMask() throws {
        let graft = try GraftCommandLine(for: Self.self)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/taskset") else { throw XCTSkip("no taskset") }
        XCTAssertEqual(try threads("taskset -c 0 GRAFT info", graft: graft), "1")
        XCTAssertEqual(try threads("taskset -c 0 GRAFT info", graft: graft, environment: ["OMP_NUM_THREADS": "3"]), "3",
                       "the user's OMP_NUM_THREADS wins")
    }

    /// A group with a quota of one CPU per period, the process moved into it before graft starts.
    func testCgroupQuota() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let manager = FileManager.default
        let group: URL, limit: String
        let unified = URL(fileURLWithPath: "/sys/fs/cgroup/unified"), v1 = URL(fileURLWithPath: "/sys/fs/cgroup/cpu")
        if manager.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
            || (try? String(contentsOfFile: "/sys/fs/cgroup/unified/cgroup.controllers", encoding: .utf8))?.contains("cpu") == true {
            let base = manager.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers") ? URL(fileURLWithPath: "/sys/fs/cgroup") : unified
            group = base.appendingPathComponent("graft-test-\(getpid())")
            limit = "echo '100000 100000' > '\(group.path)/cpu.max'"
        } else if manager.fileExists(atPath: v1.appendingPathComponent("cpu.cfs_quota_us").path) {
            group = v1.appendingPathComponent("graft-test-\(getpid())")
            limit = "echo 100000 > '\(group.path)/cpu.cfs_period_us' && echo 100000 > '\(group.path)/cpu.cfs_quota_us'"
        } else {
            throw XCTSkip("no cgroup file system with a CPU controller here")
        }
        guard (try? manager.createDirectory(at: group, withIntermediateDirectories: false)) != nil else {
            throw XCTSkip("cannot make a cgroup under \(group.deletingLastPathComponent().path) (not root, or read-only)")
        }
        // The group can only go once no process is left in it: the shell has exited by then.
        defer { rmdir(group.path) }
        let enter = "\(limit) && echo $$ > '\(group.path)/cgroup.procs'"
        guard Process.succeeds("/bin/sh", ["-c", enter + " && true"]) else { throw XCTSkip("this sandbox does not let a process into \(group.path)") }
        XCTAssertEqual(try threads(enter + " && exec GRAFT info", graft: graft), "1", "one CPU of quota")
        XCTAssertEqual(try threads(enter + " && exec GRAFT info", graft: graft, environment: ["OMP_NUM_THREADS": "2"]), "2")
    }
}

private extension Process {
    static func succeeds(_ path: String, _ arguments: [String]) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }
}
