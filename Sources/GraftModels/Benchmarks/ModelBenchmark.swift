import Foundation
import GraftCore
import GraftNN
import GraftOptim

/// What one benchmark step does, the four ways transfer learning uses a backbone. Every mode runs
/// the backbone's features and a new head, the model a user trains and then serves.
public enum ModelBenchmarkMode: String, CaseIterable, Sendable {
    /// Forward only, nothing recorded for backward.
    case inference
    /// The backbone frozen and run without recording; only the new head trains.
    case head
    /// The last three block groups and the new head train; BatchNorm everywhere keeps its running
    /// statistics, as when fine-tuning on top of a frozen base.
    case lastBlocks = "last-blocks"
    /// Every layer trains, BatchNorm with batch statistics.
    case full
}

/// One benchmark's outcome.
public struct ModelBenchmarkResult: Equatable, Sendable {
    public let backbone: BackboneKind
    public let mode: ModelBenchmarkMode
    public let batchSize: Int
    public let imageSize: Int
    public let imagesPerSecond: Double
    /// The process's peak resident memory so far (VmHWM), in MiB: it includes everything the
    /// process did before, so run one benchmark per process to compare modes.
    public let peakRSSMB: Double
    /// Busy processes that ran beside the benchmark (`--load`).
    public var competingProcesses = 0

    /// The object `graft bench model --json` promises, keys in the documented order (JSONEncoder
    /// does not keep an order). Both strings are enum raw values, so nothing needs escaping.
    public var json: String {
        "{\"backbone\": \"\(backbone.rawValue)\", \"mode\": \"\(mode.rawValue)\", \"batch_size\": \(batchSize), "
            + "\"image_size\": \(imageSize), \"images_per_second\": \(String(format: "%.2f", imagesPerSecond)), "
            + "\"peak_rss_mb\": \(String(format: "%.1f", peakRSSMB))"
            + (competingProcesses > 0 ? ", \"competing_processes\": \(competingProcesses)}" : "}")
    }
}

public enum ModelBenchmarkError: Error, CustomStringConvertible {
    case invalidSetting(String)
    case peakMemoryUnavailable(String)

    public var description: String {
        switch self {
        case let .invalidSetting(why): return "invalid model benchmark setting: \(why)"
        case let .peakMemoryUnavailable(why): return "cannot read the process's peak memory: \(why)"
        }
    }
}

/// `graft bench model`: the median time of one step on random data, for a backbone with a new
/// classification head. Weights are random, so a backbone whose weights are not on this machine
/// is measured all the same; speed does not depend on the values.
public struct ModelBenchmark: Sendable {
    public var backbone: BackboneKind
    public var mode: ModelBenchmarkMode
    public var batchSize: Int
    public var imageSize: Int
    public var iterations: Int
    /// Untimed steps first: they create the optimizer's state and fill the buffer pool.
    public var warmupIterations: Int
    /// Outputs of the new head; small, as in a typical transfer-learning task.
    public var classes: Int
    /// Busy processes started beside the timed steps (and stopped after them).
    public var competingProcesses = 0

    public init(backbone: BackboneKind, mode: ModelBenchmarkMode, batchSize: Int = 32, imageSize: Int = 224,
                iterations: Int = 10, warmupIterations: Int = 2, classes: Int = 10) {
        self.backbone = backbone
        self.mode = mode
        self.batchSize = batchSize
        self.imageSize = imageSize
        self.iterations = iterations
        self.warmupIterations = warmupIterations
        self.classes = classes
    }

    /// `synchronizer`: what a data-parallel job does with each training step's gradients (`graft
    /// bench model` under mpirun: every process steps on a batch of its own and they allreduce
    /// the gradients); nil for one process. Inference does not use it.
    public func run(synchronizer: (any GradientSynchronizer)? = nil) throws -> ModelBenchmarkResult {
        guard batchSize > 0, imageSize > 0, iterations > 0, warmupIterations >= 0, classes > 1 else {
            throw ModelBenchmarkError.invalidSetting(
                "batch size \(batchSize), image size \(imageSize), iterations \(iterations), warm-up \(warmupIterations) "
                    + "and classes \(classes) must be positive (warm-up may be 0, classes at least 2)")
        }
        let step = makeStep(synchronizer: synchronizer)
        let load = try CompetingLoad(processes: competingProcesses)
        defer { load.stop() }
        // A failed allreduce stops the steps; the error comes out once the loop is over.
        var failure: Error?
        let milliseconds = medianMilliseconds(iterations: iterations, warmup: warmupIterations) {
            guard failure == nil else { return }
            do { try step() } catch { failure = error }
        }
        if let failure { throw failure }
        var result = ModelBenchmarkResult(
            backbone: backbone, mode: mode, batchSize: batchSize, imageSize: imageSize,
            imagesPerSecond: Double(batchSize) * 1000 / milliseconds, peakRSSMB: try peakResidentMegabytes())
        result.competingProcesses = competingProcesses
        return result
    }

    /// Builds the model, optimizer and data once, and returns the work of one step, so the timed
    /// loop does nothing a real training loop would not.
    private func makeStep(synchronizer: (any GradientSynchronizer)?) -> () throws -> Void {
        var generator = SeededGenerator(seed: 1)
        let network = makeNetwork(generator: &generator)
        let (model, head) = (network.backbone, network.head)
        let images = Tensor.normal([batchSize, 3, imageSize, imageSize], generator: &generator)
        let labels = (0..<batchSize).map { _ in Int(generator.next() % UInt64(classes)) }

        switch mode {
        case .inference:
            return { _ = GradMode.withoutGradients { head(model.features(images, context: .inference), context: .inference) } }
        case .head:
            model.freeze()
            let step = BenchmarkTrainingStep(optimizer: Adam(parameters: head.namedParameters()), synchronizer: synchronizer)
            let context = ForwardContext(training: true)
            return {
                let features = GradMode.withoutGradients { model.features(images, context: .inference) }
                try step { softmaxCrossEntropy(head(features, context: context), labels: labels) }
            }
        case .lastBlocks, .full:
            if mode == .lastBlocks {
                model.freezeAllBut(last: 3)
                for case let norm as BatchNorm2d in model.namedModules().map(\.module) { norm.usesRunningStatistics = true }
            }
            let step = BenchmarkTrainingStep(optimizer: Adam(parameters: trainableFeatureParameters(of: model) + head.namedParameters()),
                                             synchronizer: synchronizer)
            let context = ForwardContext(training: true)
            return {
                try step {
                    softmaxCrossEntropy(head(model.features(images, context: context), context: context), labels: labels)
                }
            }
        }
    }
}

/// Backward (through the synchronizer, when there is one), the update, and zeroed gradients.
private struct BenchmarkTrainingStep {
    let optimizer: any Optimizer
    let synchronizer: (any GradientSynchronizer)?
    private let parameters: ParametersByTensor

    init(optimizer: any Optimizer, synchronizer: (any GradientSynchronizer)?) {
        self.optimizer = optimizer
        self.synchronizer = synchronizer
        parameters = ParametersByTensor(optimizer.parameters)
        synchronizer?.prepare(optimizer.parameters)
    }

    func callAsFunction(_ loss: () -> Tensor) throws {
        let value = loss()
        if let synchronizer { try synchronizer.backward(value, parameters: parameters) } else { value.backward() }
        GradMode.withoutGradients { optimizer.step() }
        optimizer.zeroGrad()
    }
}

/// The backbone's own ImageNet classifier is left out: the new head replaces it.
private func trainableFeatureParameters(of model: any Backbone) -> [(name: String, tensor: Tensor)] {
    model.namedParameters().filter { entry in
        entry.tensor.requiresGrad && !model.classifierPrefixes.contains { entry.name.hasPrefix($0) }
    }
}

/// VmHWM from /proc/self/status: the most resident memory the process has had.
private func peakResidentMegabytes() throws -> Double {
    let status: String
    do {
        status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    } catch {
        throw ModelBenchmarkError.peakMemoryUnavailable("/proc/self/status: \(error)")
    }
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = line.split(whereSeparator: \.isWhitespace).dropFirst().first.flatMap({ Double($0) })
    else {
        throw ModelBenchmarkError.peakMemoryUnavailable("no VmHWM line in /proc/self/status")
    }
    return kilobytes / 1024
}
