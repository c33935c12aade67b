import Foundation
import XCTest
@testable import GraftData

/// The benchmark runs end to end; its speed is reported, never asserted.
final class DataBenchmarkTests: XCTestCase {
    func testBenchmarkRunsOnSyntheticPhotos() throws {
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try DataBenchmark.writeSyntheticPhotos(to: root, classes: 2, perClass: 4, width: 120, height: 90)
        let result = try DataBenchmark.run(directory: root, threads: 2, batchSize: 4, batches: 3)
        XCTAssertEqual(result.images, 12)
        XCTAssertGreaterThan(result.imagesPerSecond, 0)
        XCTAssertTrue(result.description.contains("images/s"))
    }
}

extension DataBenchmarkTests {
    /// `GRAFT_DATA_BENCH=1 swift test --filter DataBenchmarkTests` prints the loader's
    /// throughput on 500x375 photo-like JPEGs at 224x224 with 1 and 2 threads.
    func testReportThroughput() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["GRAFT_DATA_BENCH"] == "1", "set GRAFT_DATA_BENCH=1")
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try DataBenchmark.writeSyntheticPhotos(to: root, classes: 4, perClass: 80)
        for augmentation in ["light", "strong"] {
            for threads in [1, 2] {
                let result = try DataBenchmark.run(directory: root, threads: threads, batchSize: 32, batches: 20,
                                                   augmentation: Augmentation.preset(named: augmentation)!)
                print("data benchmark (\(augmentation)): \(result)")
            }
        }
    }
}
