import ArgumentParser
import Graft

@main
struct GraftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graft",
        abstract: "Transfer learning and fine-tuning of pretrained image classifiers.",
        version: graftVersion,
        subcommands: [Info.self, Classify.self, DataCommand.self, Weights.self, Bench.self,
                      Train.self, LRFind.self, Evaluate.self, Predict.self, Serve.self, Export.self])

    /// ArgumentParser's entry point, after OpenMP's wait default is applied: that restarts the
    /// process, so it must come before any work.
    static func main() async {
        OpenMPWaitPolicy.applyDefault()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every command that computes shares.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the compute kernels (default: OMP_NUM_THREADS, else the cores this process may use: its CPU affinity, capped by a cgroup CPU quota).")
    var threads: Int?

    /// More threads than this would only crash inside the OpenMP runtime.
    static let maximumThreads = 1024

    func validate() throws {
        if let threads { try renamingSettings(["threads": "--threads"]) { try checkSetting("threads", threads, in: 1...Self.maximumThreads) } }
    }

    func apply() throws {
        if let threads { Engine.threadCount = threads }
    }
}
