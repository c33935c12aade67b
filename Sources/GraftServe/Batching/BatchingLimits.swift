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

    public init(maxBatch: Int = 32, maxDelay: Double = 0.005, queueCapacity: Int = 512, timeout: Double = 30) {
        self.maxBatch = maxBatch
        self.maxDelay = maxDelay
        self.queueCapacity = queueCapacity
        self.timeout = timeout
    }
}
