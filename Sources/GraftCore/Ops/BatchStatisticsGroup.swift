/// The processes of a data-parallel job whose BatchNorm layers in training mode normalize with
/// the statistics of the whole batch, each process holding a slice of it (synchronized
/// BatchNorm). Every process calls `sumOverGroup` for the same layers in the same order.
public protocol BatchStatisticsGroup: AnyObject {
    /// The element-wise sums of every process's `values` (all of the same length). It runs inside
    /// a forward or backward pass, which cannot throw: a failure to communicate ends the job.
    func sumOverGroup(_ values: [Double]) -> [Double]
}

/// How a training pass shares its BatchNorm statistics: with which group, and whether this
/// process brings images of its own.
public struct SharedBatchStatistics {
    public let group: any BatchStatisticsGroup
    /// false for a pass over a stand-in image by a process whose slice of the batch is empty: it
    /// takes part in every sum with nothing of its own, so that the others are not left waiting.
    public var contributes: Bool

    public init(group: any BatchStatisticsGroup, contributes: Bool = true) {
        self.group = group
        self.contributes = contributes
    }
}
