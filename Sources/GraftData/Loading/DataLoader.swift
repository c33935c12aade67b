import Foundation
import GraftCore

/// Fixed-size batches of a dataset as tensors, decoded and augmented on background threads
/// while the caller trains on the previous batch. The Graft counterpart of Keras'
/// `flow_from_directory` and torchvision's `DataLoader`.
///
/// Batches depend only on (seed, epoch, batch index): the shuffle is drawn from (seed, epoch)
/// and each sample's augmentation from (seed, epoch, sample index), so any number of threads,
/// in any timing, gives bit-identical batches.
public final class DataLoader: @unchecked Sendable {
    public let dataset: ImageDataset
    public let transform: ImageTransform
    public let options: DataLoaderOptions
    let cache: DecodedImageCache?
    /// The caller's decoding options plus the shrink hint: photos are decoded no larger than
    /// the loader will shrink them to anyway.
    let decoding: DecodingOptions

    public init(dataset: ImageDataset, transform: ImageTransform, options: DataLoaderOptions = DataLoaderOptions()) {
        self.dataset = dataset
        self.transform = transform
        self.options = options
        var decoding = options.decoding
        decoding.minimumShorterSide = decoding.minimumShorterSide ?? transform.preprocessing.cacheShorterSide
        self.decoding = decoding
        switch options.cache {
        case .off: cache = nil
        case .on(let budget): cache = DecodedImageCache(budgetBytes: budget)
        case .automatic:
            let budget = CachePolicy.defaultBudget
            let estimate = DecodedImageCache.estimatedBytes(of: dataset, shorterSide: transform.preprocessing.cacheShorterSide,
                                                            options: decoding)
            cache = estimate <= budget ? DecodedImageCache(budgetBytes: budget) : nil
        }
    }

    /// Whether decoded images are being kept in memory.
    public var isCaching: Bool { cache != nil }

    /// Bytes of decoded images held by the cache.
    public var cachedBytes: Int { cache?.bytes ?? 0 }

    var dropsLast: Bool {
        (options.dropLast ?? options.shuffle) && dataset.count >= options.batchSize
    }

    public var batchesPerEpoch: Int {
        dropsLast ? dataset.count / options.batchSize
            : (dataset.count + options.batchSize - 1) / options.batchSize
    }

    /// Samples per epoch (the dropped remainder excluded).
    var samplesPerEpoch: Int { dropsLast ? batchesPerEpoch * options.batchSize : dataset.count }

    /// The batches of epoch `epoch` (0-based), produced in the background as they are consumed.
    public func epoch(_ epoch: Int) -> DataLoaderEpoch {
        DataLoaderEpoch(loader: self, epoch: epoch)
    }

    /// The samples each whole batch of epoch `epoch` holds, in order: the batches `epoch(_:)`
    /// produces (before a shard takes its slice), for a caller that trains on something computed
    /// once from each sample instead of on its image.
    public func batchIndices(epoch: Int) -> [[Int]] {
        let whole = order(epoch: epoch), size = options.batchSize
        return (0..<batchesPerEpoch).map { Array(whole[($0 * size)..<min(($0 + 1) * size, samplesPerEpoch)]) }
    }

    /// Sample indices in the order epoch `epoch` visits them.
    func order(epoch: Int) -> [Int] {
        guard options.shuffle else { return Array(0..<dataset.count) }
        var generator = SeedDerivation.generator(seed: options.seed, purpose: .shuffle, UInt64(epoch))
        return generator.permutation(dataset.count)
    }

    /// Decodes (or fetches from the cache) and renders sample `index` into `destination`.
    func produceSample(_ index: Int, epoch: Int, into destination: UnsafeMutablePointer<Float>) throws {
        let prepared: RGBImage
        if let cached = cache?.image(at: index) {
            prepared = cached
        } else {
            let decoded = try ImageDecoder.decode(contentsOf: dataset.samples[index].url, options: decoding)
            prepared = transform.prepare(decoded)
            cache?.store(prepared, at: index)
        }
        var generator = SeedDerivation.generator(seed: options.seed, purpose: .sample, UInt64(epoch), UInt64(index))
        transform.render(prepared, generator: &generator, into: destination)
    }

    /// Batch-level mixing of a completed batch, from its own (seed, epoch, batch) stream. A
    /// multi-label batch always gets its targets: multi-hot, or mixed.
    func mix(_ buffer: BatchBuffer, epoch: Int, batch: Int) {
        let classCount = dataset.classNames.count
        let multiHot = dataset.isMultiLabel ? dataset.multiHotTargets(buffer.sampleIndices) : nil
        guard let mixing = transform.augmentation?.mixing else {
            buffer.targets = multiHot
            return
        }
        var generator = SeedDerivation.generator(seed: options.seed, purpose: .batchMixing, UInt64(epoch), UInt64(batch))
        let p = transform.preprocessing
        if let multiHot {
            buffer.targets = mixing.apply(to: buffer.pixels, targets: multiHot, classCount: classCount,
                                          channels: 3, height: p.height, width: p.width, generator: &generator) ?? multiHot
        } else {
            buffer.targets = mixing.apply(to: buffer.pixels, labels: buffer.labels, classCount: classCount,
                                          channels: 3, height: p.height, width: p.width, generator: &generator)
        }
    }
}
