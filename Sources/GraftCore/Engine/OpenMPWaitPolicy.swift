import Foundation

/// How OpenMP's threads wait for the next parallel section: Graft's default is a brief spin
/// (`GOMP_SPINCOUNT=1000`, some microseconds) before a thread sleeps, unless the user chose with
/// `OMP_WAIT_POLICY` or `GOMP_SPINCOUNT`.
///
/// libgomp's own default spins up to 300,000 times. On a quiet machine that saves a wake-up; beside
/// another busy process a spinning thread takes the core from the thread its barrier waits for.
/// Measured on a 2-core machine with `benchmarks/contention.py` (EfficientNet-Lite0, 224 px; the
/// share of the quiet throughput kept beside one competing busy process):
///
/// | workload | libgomp's spin | passive | spin 1000 |
/// |---|---|---|---|
/// | last-blocks, batch 16 | 40% | 51% | 51% |
/// | full, batch 16 | 37% | 58% | 53% |
/// | inference, batch 1 | 51% | 52% | 48% |
///
/// Quiet, the three are within the host's noise of each other except passive at batch 1 (3% lower: each section
/// pays a wake-up), so the brief spin is the default.
///
/// libgomp reads these variables once, when it is loaded, before any Swift code runs; setting
/// them later changes nothing. So the default is applied by starting the program anew with the
/// variable set: `applyDefault()`, first thing in `main`.
public enum OpenMPWaitPolicy {
    /// The variables by which a user chooses; any one of them set, Graft leaves the choice alone.
    public static let userVariables = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"]
    /// The variable Graft sets, and its value.
    public static let defaultSetting = (name: "GOMP_SPINCOUNT", value: "1000")

    /// What this process's OpenMP runtime was given, for `graft info`: the variables set, and
    /// whether Graft set them.
    public static var description: String {
        let environment = ProcessInfo.processInfo.environment
        if environment[appliedMarker] != nil {
            return "\(defaultSetting.name)=\(defaultSetting.value) (Graft's default: a brief spin, then sleep)"
        }
        let chosen = userVariables.compactMap { name in environment[name].map { "\(name)=\($0)" } }
        if chosen.isEmpty { return "libgomp's default spin (Graft's default was not applied)" }
        return chosen.joined(separator: " ") + " (the environment's)"
    }

    /// Set in the restarted process: the policy there is Graft's, not the user's.
    static let appliedMarker = "GRAFT_OMP_WAIT_POLICY_DEFAULT"

    /// Restarts this program with `GOMP_SPINCOUNT=1000` when the user set neither variable.
    /// Returns only when nothing needs doing or the restart failed (the program then runs with
    /// libgomp's default, as before).
    public static func applyDefault(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard userVariables.allSatisfy({ environment[$0] == nil }) else { return }
        setenv(defaultSetting.name, defaultSetting.value, 1)
        setenv(appliedMarker, "1", 1)
        // The same executable and arguments, the process ID kept (mpirun and a supervisor still
        // know it); /proc/self/exe even when argv[0] is a relative name and the directory changed.
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv(defaultSetting.name)
        unsetenv(appliedMarker)
    }
}
