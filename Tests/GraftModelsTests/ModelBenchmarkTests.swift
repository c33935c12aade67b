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

    func testRejectsNonPositiveSettings() {
        XCTAssertThrowsError(try ModelBenchmark(backbone: .mobileNetV2, mode: .inference, batchSize: 0).run())
        XCTAssertThrowsError(try ModelBenchmark(backbone: .mobileNetV2, mode: .inference, iterations: 0).run())
    }
}
