import Foundation

/// Settings for a `DataLoader`.
public struct DataLoaderOptions: Sendable {
    public var batchSize: Int
    /// Reshuffle the samples every epoch (training); off keeps file order (evaluation).
    public var shuffle: Bool
    /// Drop the last incomplete batch so every batch has `batchSize` samples. nil: drop when
    /// shuffling (training), keep when not (evaluation must see every sample).
    public var dropLast: Bool?
    public var seed: UInt64
    /// Background threads decoding and augmenting; 0 does the work on the calling thread.
    public var threads: Int
    /// Finished batches allowed to wait for the consumer: the bound on the loader's memory.
    public var prefetchBatches: Int
    public var cache: CachePolicy
    public var decoding: DecodingOptions
    /// Which slice of every batch this loader produces (data-parallel training); the batches are
    /// still counted, shuffled and numbered as the whole ones.
    public var shard: DataShard

    public init(batchSize: Int = 32, shuffle: Bool = true, dropLast: Bool? = nil, seed: UInt64 = 0,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, prefetchBatches: Int = 3,
                cache: CachePolicy = .automatic, decoding: DecodingOptions = DecodingOptions(), shard: DataShard = .whole) {
        precondition(batchSize > 0, "batch size must be positive")
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.seed = seed
        self.threads = max(0, threads)
        self.prefetchBatches = max(1, prefetchBatches)
        self.cache = cache
        self.decoding = decoding
        self.shard = shard
    }
}

/// Whether decoded, shrunk images are kept in memory so each file is decoded once per run.
public enum CachePolicy: Sendable, Equatable {
    case off
    /// Cache up to `budgetBytes`; images beyond it are decoded every epoch.
    case on(budgetBytes: Int)
    /// On when the estimated size of the whole dataset fits `defaultBudget`.
    case automatic

    /// A quarter of physical memory, at most 4 GiB.
    public static var defaultBudget: Int {
        min(Int(ProcessInfo.processInfo.physicalMemory / 4), 4 << 30)
    }
}
