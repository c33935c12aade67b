import ArgumentParser
import Foundation
import Graft
import GraftDistributed
import GraftExport

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Time whole-model steps on random data: images per second and peak memory.",
        discussion: """
        Weights are random, so any backbone can be measured without its weights on this machine. Under mpirun \
        (mpirun -np N graft bench model ...) every process steps on a batch of its own and the training modes \
        allreduce the gradients as graft train does: rank 0 reports images/s per process and in all, and the \
        time spent waiting for the allreduce.
        """)

    @OptionGroup var runtime: RuntimeOptions
    @Option(help: "Backbone.") var backbone: BackboneKind
    @Option(help: "What a step does.") var mode: ModelBenchmarkMode
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Height and width of the square input images.") var imageSize = 224
    @Option(help: "Timed steps (the median is reported), after 2 untimed ones.") var iterations = 10
    @Option(help: ArgumentHelp("Busy processes to run beside the timed steps, as other work on a laptop or a shared server would (0: a quiet machine).",
                               valueName: "N"))
    var load = 0
    @Flag(help: "Print JSON instead of text.") var json = false
    @Option(help: ArgumentHelp("Also write the network this benchmark times (its random weights, a dynamic batch, the logits) "
                               + "as an ONNX file, to time another runtime on the same model.", valueName: "file.onnx"))
    var onnx: String?
    @OptionGroup var distribution: DistributedOptions

    func validate() throws {
        try renamingSettings([:]) {
            try checkSetting("--batch-size", batchSize, in: 1...TrainingOptions.maximumBatchSize)
            try checkSetting("--image-size", imageSize, in: ClassifierOptions.imageSizes)
            try checkSetting("--iterations", iterations, in: 1...10_000)
            try checkSetting("--load", load, in: 0...CompetingLoad.maximumProcesses)
        }
    }

    func run() throws {
        try runtime.apply()
        try distribution.run(threads: runtime.threads) { try bench(workers: $0) }
    }

    private func bench(workers: MPIWorld?) throws {
        var benchmark = ModelBenchmark(backbone: backbone, mode: mode,
                                       batchSize: batchSize, imageSize: imageSize, iterations: iterations)
        // Under mpirun, one process per machine starts the load: the first on each.
        benchmark.competingProcesses = (workers?.localRank ?? 0) == 0 ? load : 0
        let job = workers.flatMap { $0.size > 1 ? $0 : nil }
        let result = try benchmark.run(synchronizer: job?.gradientSynchronizer)
        let leads = job.map { $0.rank == 0 } ?? true
        // After the timing, so that the peak memory reported is the benchmark's alone.
        if let onnx, leads { try export(benchmark.makeNetwork(), to: URL(fileURLWithPath: onnx)) }
        if let job {
            let summary = DistributedBenchmarkSummary(result, perProcess: try job.gather([Float(result.imagesPerSecond)]).map(Double.init),
                                                      threads: Engine.threadCount, statistics: job.statistics)
            if leads { print(json ? summary.json : summary.text) }
        } else if json {
            print(result.json)
        } else {
            print("graft bench model: \(backbone.rawValue) \(mode.rawValue), batch \(result.batchSize), "
                  + "\(result.imageSize)x\(result.imageSize), \(Engine.threadCount) threads, \(Engine.detectedISA)"
                  + (load > 0 ? ", \(load) competing busy process\(load == 1 ? "" : "es")" : ""))
            print(String(format: "%.1f images/s, peak resident memory %.0f MB", result.imagesPerSecond, result.peakRSSMB))
        }
    }

    private func export(_ network: BenchmarkNetwork, to url: URL) throws {
        let preprocessing = network.backbone.preprocessing.resized(to: imageSize)
        let source = ONNXExportSource(model: network, classNames: (0..<network.head.weight.shape[0]).map { "class \($0)" },
                                      preprocessing: preprocessing, architecture: backbone.rawValue) { network($0, context: $1) }
        try ONNXExport(source, options: ONNXExportOptions(outputs: .logits)).write(to: url)
    }
}
