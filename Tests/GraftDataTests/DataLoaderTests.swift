import Foundation
import GraftCore
import XCTest
@testable import GraftData

final class DataLoaderTests: XCTestCase {
    private static var root: URL!
    private static var dataset: ImageDataset!

    /// 3 classes of small JPEGs and PNGs of different sizes, shared by the loader tests.
    override class func setUp() {
        super.setUp()
        root = try! makeTemporaryFolder("loader")
        var generator = SeededGenerator(seed: 1)
        for c in 0..<3 {
            let folder = root.appendingPathComponent("class\(c)")
            try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for i in 0..<(6 + c) {
                let image = DataBenchmark.syntheticPhoto(width: 40 + 8 * i, height: 30 + 4 * c, generator: &generator)
                let data = i % 2 == 0 ? try! JPEGEncoder.encode(image) : try! PNGEncoder.encode(image)
                try! data.write(to: folder.appendingPathComponent("\(i).\(i % 2 == 0 ? "jpg" : "png")"))
            }
        }
        dataset = try! ImageFolder(root: root).train
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: root)
        super.tearDown()
    }

    private let preprocessing = Preprocessing(height: 24, width: 24, resize: .shorterSideThenCenterCrop(28), normalization: .imageNet)

    private func strongWithMixing() -> Augmentation {
        var augmentation = Augmentation.strong
        augmentation.mixing = BatchMixing(probability: 0.7)
        return augmentation
    }

    private func collect(threads: Int, epoch: Int = 0, cache: CachePolicy = .off, augmentation: Augmentation? = nil,
                         shuffle: Bool = true, batchSize: Int = 4) throws -> [Batch] {
        let loader = DataLoader(dataset: Self.dataset,
                                transform: ImageTransform(preprocessing: preprocessing, augmentation: augmentation ?? strongWithMixing()),
                                options: DataLoaderOptions(batchSize: batchSize, shuffle: shuffle, seed: 42, threads: threads,
                                                           prefetchBatches: 2, cache: cache))
        var batches: [Batch] = []
        let epochBatches = loader.epoch(epoch)
        while let batch = try epochBatches.nextBatch() { batches.append(batch) }
        return batches
    }

    private func assertIdentical(_ a: [Batch], _ b: [Batch], _ message: String) {
        XCTAssertEqual(a.count, b.count, message)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.labels, y.labels, message)
            XCTAssertEqual(x.sampleIndices, y.sampleIndices, message)
            XCTAssertEqual(x.images.values, y.images.values, message)   // bit for bit
            XCTAssertEqual(x.targets?.values, y.targets?.values, message)
        }
    }

    func testSameSeedGivesIdenticalBatchesWithOneAndTwoThreads() throws {
        let one = try collect(threads: 1)
        let two = try collect(threads: 2)
        let inline = try collect(threads: 0)
        assertIdentical(one, two, "1 vs 2 threads")
        assertIdentical(one, inline, "1 thread vs calling thread")
        XCTAssertTrue(one.contains { $0.targets != nil }, "some batches were mixed")
    }

    func testCacheDoesNotChangeBatches() throws {
        let loader = DataLoader(dataset: Self.dataset,
                                transform: ImageTransform(preprocessing: preprocessing, augmentation: .strong),
                                options: DataLoaderOptions(batchSize: 4, seed: 42, threads: 2, cache: .on(budgetBytes: 1 << 30)))
        XCTAssertTrue(loader.isCaching)
        let first = Array(loader.epoch(0))
        XCTAssertGreaterThan(loader.cachedBytes, 0)
        let cachedAgain = Array(loader.epoch(0))
        assertIdentical(first, cachedAgain, "cached vs decoded")
        assertIdentical(first, try collect(threads: 2, augmentation: .strong), "cache on vs off")
    }

    func testBatchesHaveFixedSizeAndEpochsReshuffle() throws {
        let batches = try collect(threads: 2, augmentation: .light, batchSize: 5)
        XCTAssertEqual(Self.dataset.count, 21)
        XCTAssertEqual(batches.count, 4, "the incomplete fifth batch is dropped when training")
        for batch in batches {
            XCTAssertEqual(batch.images.shape, [5, 3, 24, 24])
            XCTAssertEqual(batch.labels, batch.sampleIndices.map { Self.dataset.samples[$0].label })
        }
        XCTAssertEqual(Set(batches.flatMap(\.sampleIndices)).count, 20)
        let nextEpoch = try collect(threads: 2, epoch: 1, augmentation: .light, batchSize: 5)
        XCTAssertNotEqual(batches.flatMap(\.sampleIndices), nextEpoch.flatMap(\.sampleIndices))

        let evaluation = try collect(threads: 2, augmentation: Augmentation.none, shuffle: false, batchSize: 5)
        XCTAssertEqual(evaluation.map(\.count), [5, 5, 5, 5, 1], "evaluation sees every sample, in file order")
        XCTAssertEqual(evaluation.flatMap(\.sampleIndices), Array(0..<21))
    }

    func testUnreadableImageAtLoadTimeThrowsNamingTheFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = try PNGEncoder.encode(TestImages.gradient(width: 8, height: 8))
        for name in ["a/0.png", "a/1.png", "b/0.png", "b/1.png"] {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (name == "b/1.png" ? Data("broken".utf8) : png).write(to: url)
        }
        let dataset = try ImageFolder(root: folder, options: ImageFolderOptions(verification: .none)).train
        for threads in [0, 2] {
            let loader = DataLoader(dataset: dataset, transform: ImageTransform(preprocessing: preprocessing),
                                    options: DataLoaderOptions(batchSize: 4, shuffle: false, threads: threads))
            XCTAssertThrowsError(try loader.epoch(0).nextBatch()) { error in
                XCTAssertTrue("\(error)".contains("b/1.png: not a JPEG, PNG, WebP, GIF, TIFF or BMP image"), "\(error)")
            }
        }
    }

    func testAutomaticCacheEstimatesFromImageHeaders() throws {
        let loader = DataLoader(dataset: Self.dataset, transform: ImageTransform(preprocessing: preprocessing),
                                options: DataLoaderOptions(cache: .automatic))
        XCTAssertTrue(loader.isCaching, "21 small images fit any budget")
        let estimate = DecodedImageCache.estimatedBytes(of: Self.dataset, shorterSide: 28, options: DecodingOptions())
        let actual = Self.dataset.samples.map { try! ImageDecoder.decode(contentsOf: $0.url).byteCount }.reduce(0, +)
        XCTAssertEqual(Double(estimate), Double(actual), accuracy: Double(actual) * 0.2)
    }

    func testAbandoningAnEpochStopsItsThreads() throws {
        let loader = DataLoader(dataset: Self.dataset, transform: ImageTransform(preprocessing: preprocessing),
                                options: DataLoaderOptions(batchSize: 2, threads: 2, prefetchBatches: 1))
        for _ in 0..<5 {
            let epoch = loader.epoch(0)
            XCTAssertNotNil(try epoch.nextBatch())
        }
    }
}
