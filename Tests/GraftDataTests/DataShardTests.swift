import Foundation
import GraftCore
import XCTest
@testable import GraftData

/// Data-parallel workers' loaders: each worker's slices of the batches, put side by side, are the
/// whole loader's batches, pixel for pixel, with empty slices where a batch is smaller than the
/// number of workers.
final class DataShardTests: XCTestCase {
    func testSlicesCoverEveryBatchInOrderAndDifferByAtMostOne() {
        for workers in 1...5 {
            for n in 0...11 {
                let shards = (0..<workers).map { DataShard(rank: $0, count: workers) }
                let ranges = shards.map { $0.range(in: n) }
                XCTAssertEqual(ranges.flatMap { Array($0) }, Array(0..<n), "\(n) among \(workers)")
                let sizes = ranges.map(\.count)
                XCTAssertLessThanOrEqual((sizes.max() ?? 0) - (sizes.min() ?? 0), 1)
            }
        }
    }

    func testShardedLoadersMakeUpTheWholeBatches() throws {
        let root = try makeTemporaryFolder("shards")
        defer { try? FileManager.default.removeItem(at: root) }
        var generator = SeededGenerator(seed: 4)
        for c in 0..<2 {
            let folder = root.appendingPathComponent("class\(c)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<(5 + c) {
                try PNGEncoder.encode(DataBenchmark.syntheticPhoto(width: 20 + i, height: 18, generator: &generator))
                    .write(to: folder.appendingPathComponent("\(i).png"))
            }
        }
        // 11 images: batches of 4, 4 and 3, or of 5, 5 and 1, whose last leaves two of three
        // workers nothing.
        let dataset = try ImageFolder(root: root).train
        let preprocessing = Preprocessing(height: 16, width: 16, resize: .shorterSideThenCenterCrop(18), normalization: .imageNet)
        for batchSize in [4, 5] {
            func batches(_ shard: DataShard, threads: Int) throws -> [Batch] {
                let loader = DataLoader(dataset: dataset, transform: ImageTransform(preprocessing: preprocessing, augmentation: .strong),
                                        options: DataLoaderOptions(batchSize: batchSize, shuffle: true, dropLast: false, seed: 9,
                                                                   threads: threads, cache: .off, shard: shard))
                var result: [Batch] = []
                let epoch = loader.epoch(1)
                while let batch = try epoch.nextBatch() { result.append(batch) }
                return result
            }
            let whole = try batches(.whole, threads: 0)
            let parts = try (0..<3).map { try batches(DataShard(rank: $0, count: 3), threads: $0 % 2 + 1) }
            for (b, batch) in whole.enumerated() {
                let slices = parts.map { $0[b] }
                XCTAssertEqual(slices.map(\.index), [b, b, b])
                XCTAssertEqual(slices.flatMap(\.sampleIndices), batch.sampleIndices, "batch \(b) at \(batchSize)")
                XCTAssertEqual(slices.flatMap(\.labels), batch.labels)
                for slice in slices { XCTAssertEqual(slice.wholeBatchLabels, batch.labels) }
                XCTAssertEqual(slices.filter { $0.count > 0 }.flatMap(\.images.values), batch.images.values)
            }
            XCTAssertEqual(parts.map(\.count), [whole.count, whole.count, whole.count])
            if batchSize == 5 { XCTAssertEqual(parts.map { $0.last!.count }, [0, 0, 1]) }
        }
    }
}
