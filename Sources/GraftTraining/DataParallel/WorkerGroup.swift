import GraftCore
import GraftOptim

/// The processes that train one model together, data-parallel: each takes its slice of every
/// batch (`DataShard`), of the feature cache and of the validation set, and they combine what
/// they computed through these collectives, so that the run's weights and figures are those of
/// one process with the same global batch and seed. Every worker must call the same collectives
/// in the same order. `GraftDistributed` implements it over MPI; the trainer needs nothing else.
public protocol WorkerGroup: AnyObject {
    /// This worker's index, 0 ..< `size`; worker 0 writes the outputs.
    var rank: Int { get }
    var size: Int { get }
    /// The element-wise sums of every worker's `values` (all of the same length).
    func sum(_ values: [Double]) throws -> [Double]
    /// Every worker's `values` (of any length), concatenated in rank order.
    func gather(_ values: [Float]) throws -> [Float]
    /// Worker 0's `bytes`, on every worker (what the others pass is ignored).
    func broadcast(_ bytes: [UInt8]) throws -> [UInt8]
    /// Combines the gradients of each step (made once, for the whole run).
    var gradientSynchronizer: any GradientSynchronizer { get }
    /// Sums the BatchNorm statistics of every worker's slice, with `--bn train`.
    var batchStatisticsGroup: any BatchStatisticsGroup { get }
}

extension WorkerGroup {
    public var isLeader: Bool { rank == 0 }

    /// The sums of every worker's totals, so each reports the same epoch loss and accuracy.
    func reduce(_ totals: RunningTotals) throws -> RunningTotals {
        RunningTotals(summed: try sum(totals.summed))
    }
}
