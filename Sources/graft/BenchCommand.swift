import ArgumentParser
import Foundation
import Graft

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed.", subcommands: [BenchOps.self, BenchData.self, BenchDecode.self, BenchModel.self])
}

struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Time each op's forward and backward at realistic CNN shapes.")

    @OptionGroup var runtime: RuntimeOptions
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Timed iterations per op (the median is reported).") var iterations = 10
    @Option(help: "Only ops whose name contains this text.") var filter: String?
    @Flag(help: "Print JSON instead of a table.") var json = false

    func validate() throws {
        try renamingSettings([:]) {
            try checkSetting("--batch-size", batchSize, in: 1...TrainingOptions.maximumBatchSize)
            try checkSetting("--iterations", iterations, in: 1...10_000)
        }
    }

    func run() throws {
        try runtime.apply()
        if !json {
            print("graft bench ops: batch \(batchSize), \(Engine.threadCount) threads, \(Engine.detectedISA), oneDNN \(Engine.dnnlVersion)")
            print(pad("op", 26) + pad("shape", 30) + lpad("fwd ms", 9) + lpad("bwd ms", 9) + lpad("fwd rate", 16) + lpad("bwd rate", 16))
        }
        let results = OpBenchmark.run(batch: batchSize, iterations: iterations, filter: filter) { r in
            guard !json else { return }
            // A backward that only passes the gradient on (add) does no work worth a rate.
            let backwardRate = r.backwardMs < 0.01 ? "pass-through" : "\(fmt(r.backwardRate)) \(r.unit)"
            print(pad(r.op, 26) + pad(r.shape, 30) + lpad(fmt(r.forwardMs), 9) + lpad(fmt(r.backwardMs), 9)
                  + lpad("\(fmt(r.forwardRate)) \(r.unit)", 16) + lpad(backwardRate, 16))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(results), as: UTF8.self))
        }
    }
}

private func fmt(_ v: Double) -> String { String(format: v >= 100 ? "%.0f" : "%.2f", v) }
private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
