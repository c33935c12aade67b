import GraftCore

/// One batch from the loader.
public struct Batch {
    /// (N, 3, height, width) float32, normalized.
    public let images: Tensor
    /// The class index of each image (for a mixed batch: of the image before mixing; use `targets`).
    public let labels: [Int]
    /// Soft targets (N, classes) when MixUp or CutMix mixed this batch, multi-hot targets for
    /// multi-label data; nil otherwise.
    public let targets: Tensor?
    /// Which dataset samples the batch holds, in order.
    public let sampleIndices: [Int]
    public let epoch: Int
    /// Position of the batch within its epoch.
    public let index: Int
    /// The labels of the whole batch when this is one worker's shard of it (see `DataShard`),
    /// in batch order; equal to `labels` otherwise.
    public let wholeBatchLabels: [Int]

    public var count: Int { labels.count }
}
