import ArgumentParser
import Graft

@main
struct GraftCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graft",
        abstract: "Transfer learning and fine-tuning of pretrained image classifiers.",
        version: graftVersion,
        subcommands: [Info.self, Classify.self, DataCommand.self, Weights.self, Bench.self,
                      Train.self, Evaluate.self, Predict.self])
}

/// Options every command that computes shares.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for the compute kernels (default: OMP_NUM_THREADS, else all cores).")
    var threads: Int?

    func apply() throws {
        if let threads {
            guard threads > 0 else { throw ValidationError("--threads must be at least 1, not \(threads)") }
            Engine.threadCount = threads
        }
    }
}
