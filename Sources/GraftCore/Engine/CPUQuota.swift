import Foundation

/// The CPU time a container or control group grants this process, as a whole number of CPUs:
/// cgroup v2's `cpu.max` or v1's `cpu.cfs_quota_us` over `cpu.cfs_period_us` (what
/// `docker run --cpus`, systemd's `CPUQuota=` and Kubernetes' CPU limits set), the smallest along
/// the way from the process's group up to the root, rounded up.
///
/// OpenMP already follows the CPU affinity mask (`taskset`, cpusets) but knows nothing of quotas:
/// with a thread per host core and a quota of fewer cores, the threads are descheduled in turn in
/// the middle of every parallel section, each waiting at the barrier for one that is not running.
public enum CPUQuota {
    /// The quota of the calling process, or nil where none applies (or the files cannot be read).
    public static var current: Int? { read(cgroupFile: "/proc/self/cgroup", mountRoot: "/sys/fs/cgroup") }

    /// The quota from a `/proc/PID/cgroup` file and the cgroup file systems under `mountRoot`.
    public static func read(cgroupFile: String, mountRoot: String) -> Int? {
        guard let membership = try? String(contentsOfFile: cgroupFile, encoding: .utf8) else { return nil }
        var quotas: [Double] = []
        for line in membership.split(separator: "\n") {
            // "hierarchy-ID:controller-list:path"; cgroup v2's line is "0::path".
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let controllers = fields[1].split(separator: ",").map(String.init), path = String(fields[2])
            if fields[0] == "0" && controllers.isEmpty {
                for root in [mountRoot, mountRoot + "/unified"] {
                    quotas += ancestors(of: path).compactMap { version2Quota(in: root + $0) }
                }
            } else if controllers.contains("cpu") {
                for root in Set([mountRoot + "/" + controllers.joined(separator: ","), mountRoot + "/cpu"]) {
                    quotas += ancestors(of: path).compactMap { version1Quota(in: root + $0) }
                }
            }
        }
        return quotas.min().map { max(1, Int($0.rounded(.up))) }
    }

    /// "/a/b" -> ["/a/b", "/a", ""]: the group's folder and its parents' below a mount point.
    private static func ancestors(of path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        var result: [String] = []
        while true {
            result.append(parts.isEmpty ? "" : "/" + parts.joined(separator: "/"))
            if parts.isEmpty { return result }
            parts.removeLast()
        }
    }

    /// `cpu.max` holds "QUOTA PERIOD" in microseconds, or "max PERIOD" for no limit.
    private static func version2Quota(in folder: String) -> Double? {
        guard let fields = numbers(folder + "/cpu.max"), fields.count == 2, let quota = Double(fields[0]),
              let period = Double(fields[1]), quota > 0, period > 0 else { return nil }
        return quota / period
    }

    /// `cpu.cfs_quota_us` is -1 for no limit.
    private static func version1Quota(in folder: String) -> Double? {
        guard let quota = numbers(folder + "/cpu.cfs_quota_us")?.first.flatMap(Double.init),
              let period = numbers(folder + "/cpu.cfs_period_us")?.first.flatMap(Double.init),
              quota > 0, period > 0 else { return nil }
        return quota / period
    }

    private static func numbers(_ file: String) -> [String]? {
        (try? String(contentsOfFile: file, encoding: .utf8)).map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
    }
}
