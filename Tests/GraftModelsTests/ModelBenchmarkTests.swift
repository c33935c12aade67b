import Foundation
import XCTest
@testable import GraftModels

/// The benchmark runs every mode end to end at a tiny size; speed itself is not asserted.
final class ModelBenchmarkTests: XCTestCase {
    func testEveryModeRunsAndReportsSaneFields() throws {
        for mode in ModelBenchmarkMode.allCases {
            let benchmark = ModelBenchmark(backbone: .mobileNetV2, mode: mode, batchSize: 2, imageSize: 32,
                                           iterations: 1, warmupIterations: 0)
            let result = try benchmark.run()
            XCTAssertEqual(result.backbone, .mobileNetV2)
            XCTAssertEqual(result.mode, mode)
            XCTAssertEqual(result.batchSize, 2)
            XCTAssertEqual(result.imageSize, 32)
            XCTAssertGreaterThan(result.imagesPerSecond, 0, "\(mode)")
            XCTAssertTrue(result.imagesPerSecond.isFinite, "\(mode)")
            XCTAssertGreaterThan(result.peakRSSMB, 1, "\(mode)")
        }
    }

    func testLastBlocksRunsOnEfficientNetWithSamePadding() throws {
        let result = try ModelBenchmark(backbone: .efficientNetLite0, mode: .lastBlocks, batchSize: 2, imageSize: 32,
                                        iterations: 1, warmupIterations: 0).run()
        XCTAssertEqual(result.mode.rawValue, "last-blocks")
        XCTAssertGreaterThan(result.imagesPerSecond, 0)
    }

    /// `graft bench model --backbone efficientnet-b0 --mode full`: every block trains, so
    /// stochastic depth and squeeze-excite's backward run in all of them (the other new backbones
    /// train their last blocks in SqueezeExciteTrainingTests).
    func testFullStepRunsOnEfficientNetB0() throws {
        let result = try ModelBenchmark(backbone: .efficientNetB0, mode: .full, batchSize: 2, imageSize: 32, iterations: 1,
                                        warmupIterations: 0).run()
        XCTAssertGreaterThan(result.imagesPerSecond, 0)
    }

    /// `graft bench model --backbone convnext-tiny` and `densenet-121`: inference and a training step
    /// of the last blocks (LayerNorm's, GELU's and the concatenation's backward), at 32 px.
    func testConvNeXtAndDenseNetRun() throws {
        for backbone in [BackboneKind.convNeXtTiny, .denseNet121] {
            for mode in [ModelBenchmarkMode.inference, .lastBlocks] {
                let result = try ModelBenchmark(backbone: backbone, mode: mode, batchSize: 2, imageSize: 32, iterations: 1,
                                                warmupIterations: 0).run()
                XCTAssertGreaterThan(result.imagesPerSecond, 0, "\(backbone.rawValue) \(mode)")
            }
        }
    }

    func testJSONHasTheDocumentedKeysInOrder() throws {
        let result = ModelBenchmarkResult(backbone: .resNet50, mode: .full, batchSize: 32, imageSize: 224,
                                          imagesPerSecond: 12.3456, peakRSSMB: 2048.26)
        XCTAssertEqual(result.json, #"{"backbone": "resnet50", "mode": "full", "batch_size": 32, "image_size": 224, "#
            + #""images_per_second": 12.35, "peak_rss_mb": 2048.3}"#)
        let decoded = try JSONSerialization.jsonObject(with: Data(result.json.utf8)) as? [String: Any]
        XCTAssertEqual(decoded?["mode"] as? String, "full")
    }

    /// `--load N`: N busy processes run beside the timed steps, are gone afterwards, and the
    /// result says how many there were.
    func testCompetingProcessesRunBesideTheStepsAndStopAfterThem() throws {
        let load = try CompetingLoad(processes: 2)
        XCTAssertEqual(load.count, 2)
        let pids = try childProcesses()
        XCTAssertEqual(pids.count, 2, "\(pids)")
        load.stop()
        XCTAssertEqual(try childProcesses(), [])

        var benchmark = ModelBenchmark(backbone: .mobileNetV2, mode: .inference, batchSize: 1, imageSize: 32, iterations: 1, warmupIterations: 0)
        benchmark.competingProcesses = 1
        let result = try benchmark.run()
        XCTAssertEqual(result.competingProcesses, 1)
        XCTAssertTrue(result.json.hasSuffix(", \"competing_processes\": 1}"), result.json)
        XCTAssertEqual(try childProcesses(), [], "a competing process outlived the benchmark")
        XCTAssertThrowsError(try CompetingLoad(processes: -1))
    }

    /// The shells this process started and that still run.
    private func childProcesses() throws -> [String] {
        let me = String(ProcessInfo.processInfo.processIdentifier)
        return try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { entry in
            guard Int(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            // State, then the parent's pid; a zombie has exited.
            return fields.count > 1 && fields[1] == me && fields[0] != "Z" && stat.contains("(sh)")
        }
    }

    func testRejectsNonPositiveSettings() {
        XCTAssertThrowsError(try ModelBenchmark(backbone: .mobileNetV2, mode: .inference, batchSize: 0).run())
        XCTAssertThrowsError(try ModelBenchmark(backbone: .mobileNetV2, mode: .inference, iterations: 0).run())
    }
}
