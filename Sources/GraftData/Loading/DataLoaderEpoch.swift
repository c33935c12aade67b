import Foundation

/// One pass over the data. Background threads claim samples in epoch order, but never more
/// than `prefetchBatches` batches ahead of the consumer, so memory stays bounded however slow
/// the training step is. Dropping the iterator stops its threads.
public final class DataLoaderEpoch: Sequence, IteratorProtocol {
    private let state: EpochState
    private var threads: [Thread] = []
    /// The first error a `for batch in epoch` loop met (the Sequence protocol cannot throw);
    /// use `next()` directly to get errors thrown.
    public private(set) var error: Error?

    init(loader: DataLoader, epoch: Int) {
        state = EpochState(loader: loader, epoch: epoch)
        for _ in 0..<loader.options.threads {
            let thread = Thread { [state] in state.workLoop() }
            thread.name = "graft-data-loader"
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
    }

    deinit { state.stop() }

    public var batchCount: Int { state.batchCount }

    /// The next batch, or nil at the end of the epoch; throws when an image cannot be decoded.
    public func nextBatch() throws -> Batch? {
        try threads.isEmpty ? state.produceOnCallingThread() : state.takeNext()
    }

    /// Sequence conformance: stops at the end or at the first error (kept in `error`).
    public func next() -> Batch? {
        guard error == nil else { return nil }
        do { return try nextBatch() } catch {
            self.error = error
            return nil
        }
    }
}
