import Foundation
import Graft
import GraftDistributed

/// What `graft bench model` under mpirun reports on rank 0: throughput per process and in all,
/// and per step what the gradient allreduce moved, how long it ran and how long the training
/// thread waited for it after backward (the rest overlapped backward).
struct DistributedBenchmarkSummary {
    let result: ModelBenchmarkResult
    let perProcess: [Double]
    let threads: Int
    let statistics: CommunicationStatistics

    init(_ result: ModelBenchmarkResult, perProcess: [Double], threads: Int, statistics: CommunicationStatistics) {
        self.result = result
        self.perProcess = perProcess
        self.threads = threads
        self.statistics = statistics
    }

    var total: Double { perProcess.reduce(0, +) }
    private var steps: Double { Double(max(statistics.gradientSteps, 1)) }
    var megabytesPerStep: Double { Double(statistics.gradientBytes) / steps / 1e6 }
    var allreduceMillisecondsPerStep: Double { statistics.gradientReduceSeconds / steps * 1000 }
    var waitMillisecondsPerStep: Double { statistics.gradientWaitSeconds / steps * 1000 }
    /// Rank 0's median step.
    var stepMilliseconds: Double { Double(result.batchSize) * 1000 / result.imagesPerSecond }

    var text: String {
        var lines = [
            "graft bench model: \(result.backbone.rawValue) \(result.mode.rawValue), batch \(result.batchSize) per process, "
                + "\(result.imageSize)x\(result.imageSize), \(perProcess.count) processes x \(threads) threads, \(Engine.detectedISA)",
            "per process: " + perProcess.map { String(format: "%.1f", $0) }.joined(separator: ", ")
                + String(format: " images/s; %.1f images/s in all; peak resident memory %.0f MB on rank 0", total, result.peakRSSMB),
        ]
        if statistics.gradientSteps > 0 {
            lines.append(String(format: "gradient allreduce per step on rank 0: %.2f MB in %.1f ms, %.1f ms of it waited for after backward; step %.0f ms",
                                megabytesPerStep, allreduceMillisecondsPerStep, waitMillisecondsPerStep, stepMilliseconds))
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        "{\"backbone\": \"\(result.backbone.rawValue)\", \"mode\": \"\(result.mode.rawValue)\", \"batch_size_per_process\": \(result.batchSize), "
            + "\"image_size\": \(result.imageSize), \"processes\": \(perProcess.count), \"threads_per_process\": \(threads), "
            + "\"images_per_second_per_process\": [\(perProcess.map { String(format: "%.2f", $0) }.joined(separator: ", "))], "
            + "\"images_per_second\": \(String(format: "%.2f", total)), \"step_ms\": \(String(format: "%.1f", stepMilliseconds)), "
            + "\"gradient_mb_per_step\": \(String(format: "%.3f", megabytesPerStep)), "
            + "\"allreduce_ms_per_step\": \(String(format: "%.2f", allreduceMillisecondsPerStep)), "
            + "\"wait_ms_per_step\": \(String(format: "%.2f", waitMillisecondsPerStep)), "
            + "\"peak_rss_mb\": \(String(format: "%.1f", result.peakRSSMB))}"
    }
}
