/// One worker's part of every batch when several workers train on one global batch (data
/// parallelism): worker `rank` of `count` takes the contiguous slice
/// `n·rank/count ..< n·(rank+1)/count` of each batch of n samples. The slices of all workers
/// make up the batch in its order, and their sizes differ by at most one; a batch smaller than
/// `count` leaves some workers an empty slice.
public struct DataShard: Sendable, Equatable, CustomStringConvertible {
    public let rank: Int
    public let count: Int

    public init(rank: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(rank), "shard \(rank) of \(count)")
        self.rank = rank
        self.count = count
    }

    /// Everything: one worker.
    public static let whole = DataShard(rank: 0, count: 1)

    /// This worker's positions in a batch (or any list) of `n`.
    public func range(in n: Int) -> Range<Int> { slice(rank, of: n) }

    /// Worker `rank`'s positions in a list of `n`.
    public func slice(_ rank: Int, of n: Int) -> Range<Int> { (n * rank / count)..<(n * (rank + 1) / count) }

    public var description: String { "shard \(rank + 1) of \(count)" }
}
