/// How requests are gathered into batches for one model.
public struct BatchingLimits: Sendable, Equatable {
    /// The most examples one pass of the model runs.
    public var maxBatch: Int
    /// How long the first waiting example may wait for others to join it, in seconds.
    public var maxDelay: Double
    /// The most examples that may wait at once; beyond it a request is refused (503) rather
    /// than let memory grow without bound.
    public var queueCapacity: Int
    /// How long a request may wait before its examples start running, in seconds.
    public var timeout: Double

    /// The batch sizes a pass may have: powers of two below `maxBatch`, and `maxBatch`. Each size
    /// the model meets costs new kernels and its own pooled activation buffers (about 45 MB per
    /// size for EfficientNet-Lite0 at 224 px), so a pass takes the largest of these that the
    /// waiting examples fill, and the rest wait for the next pass: a handful of sizes, never all
    /// of 1...maxBatch, and no padding.
    public var passSizes: [Int] {
        var sizes: [Int] = []
        var size = 1
        while size < maxBatch {
            sizes.append(size)
            size *= 2
        }
        return sizes + [maxBatch]
    }

    public init(maxBatch: Int = 32, maxDelay: Double = 0.005, queueCapacity: Int = 512, timeout: Double = 30) {
        self.maxBatch = maxBatch
        self.maxDelay = maxDelay
        self.queueCapacity = queueCapacity
        self.timeout = timeout
    }
}
