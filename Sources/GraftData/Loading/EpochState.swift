import Foundation

/// The state the consumer and the workers share, guarded by one condition variable.
final class EpochState: @unchecked Sendable {
    let loader: DataLoader
    let epoch: Int
    /// The samples this loader produces, in the order it produces them: with a shard, its slice
    /// of each batch, one after the other.
    let order: [Int]
    let batchCount: Int
    let sampleCount: Int
    /// Where each batch starts in `order` (batchCount + 1 entries, the last one `sampleCount`).
    private let batchStarts: [Int]
    /// The whole epoch's order, for the labels of whole batches when sharded.
    private let wholeOrder: [Int]
    private let condition = NSCondition()
    private var nextPosition = 0
    private var consumed = 0
    private var buffers: [Int: BatchBuffer] = [:]
    private var ready: Set<Int> = []
    private var failure: Error?
    private var stopped = false

    init(loader: DataLoader, epoch: Int) {
        self.loader = loader
        self.epoch = epoch
        let whole = loader.order(epoch: epoch)
        batchCount = loader.batchesPerEpoch
        let wholeCount = loader.samplesPerEpoch, batchSize = loader.options.batchSize, shard = loader.options.shard
        var order: [Int] = [], starts: [Int] = []
        order.reserveCapacity(wholeCount / shard.count + batchCount)
        for batch in 0..<batchCount {
            let start = batch * batchSize, end = min(start + batchSize, wholeCount)
            starts.append(order.count)
            let slice = shard.range(in: end - start)
            order += whole[(start + slice.lowerBound)..<(start + slice.upperBound)]
        }
        starts.append(order.count)
        self.order = order
        batchStarts = starts
        sampleCount = order.count
        wholeOrder = whole
    }

    /// The batch that position `position` of `order` belongs to (the last whose start is at or
    /// before it; empty batches are skipped over).
    private func batchIndex(at position: Int) -> Int {
        var low = 0, high = batchCount - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if batchStarts[middle] <= position { low = middle } else { high = middle - 1 }
        }
        return low
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Must be called with the lock held.
    private func buffer(for batch: Int) -> BatchBuffer {
        if let existing = buffers[batch] { return existing }
        let indices = Array(order[batchStarts[batch]..<batchStarts[batch + 1]])
        let labels = indices.map { loader.dataset.samples[$0].label }
        let size = loader.options.batchSize, wholeStart = batch * size
        let wholeLabels = loader.options.shard.count == 1 ? labels
            : wholeOrder[wholeStart..<min(wholeStart + size, loader.samplesPerEpoch)].map { loader.dataset.samples[$0].label }
        let buffer = BatchBuffer(sampleIndices: indices, labels: labels, wholeBatchLabels: wholeLabels,
                                 sampleSize: loader.transform.sampleSize)
        buffers[batch] = buffer
        return buffer
    }

    func workLoop() {
        let prefetch = loader.options.prefetchBatches
        let sampleSize = loader.transform.sampleSize
        while true {
            condition.lock()
            while !stopped && failure == nil && nextPosition < sampleCount && batchIndex(at: nextPosition) >= consumed + prefetch {
                condition.wait()
            }
            if stopped || failure != nil || nextPosition >= sampleCount {
                condition.unlock()
                return
            }
            let position = nextPosition
            nextPosition += 1
            let batch = batchIndex(at: position), slot = position - batchStarts[batch]
            let target = buffer(for: batch)
            condition.unlock()

            var error: Error?
            do {
                try loader.produceSample(target.sampleIndices[slot], epoch: epoch, into: target.pixels + slot * sampleSize)
            } catch let caught {
                error = caught
            }

            condition.lock()
            target.remaining -= 1
            let complete = target.remaining == 0
            if let error, failure == nil { failure = error }
            condition.unlock()
            if complete {
                loader.mix(target, epoch: epoch, batch: batch)
                condition.lock()
                ready.insert(batch)
                condition.broadcast()
                condition.unlock()
            } else if error != nil {
                condition.lock(); condition.broadcast(); condition.unlock()
            }
        }
    }

    func takeNext() throws -> Batch? {
        condition.lock()
        guard consumed < batchCount else { condition.unlock(); return nil }
        // A shard's empty slice of a batch smaller than the number of workers has nothing to wait for.
        if batchStarts[consumed] == batchStarts[consumed + 1] {
            let index = consumed
            let buffer = buffer(for: index)
            buffers[index] = nil
            consumed += 1
            condition.broadcast()
            condition.unlock()
            return finish(buffer, index: index)
        }
        while !ready.contains(consumed) && failure == nil {
            condition.wait()
        }
        if let failure {
            condition.unlock()
            throw failure
        }
        let index = consumed
        let buffer = buffers.removeValue(forKey: index)!
        ready.remove(index)
        consumed += 1
        condition.broadcast()
        condition.unlock()
        return finish(buffer, index: index)
    }

    func produceOnCallingThread() throws -> Batch? {
        guard consumed < batchCount else { return nil }
        let index = consumed
        let buffer = buffer(for: index)
        buffers[index] = nil
        let sampleSize = loader.transform.sampleSize
        for (slot, sample) in buffer.sampleIndices.enumerated() {
            try loader.produceSample(sample, epoch: epoch, into: buffer.pixels + slot * sampleSize)
        }
        if !buffer.sampleIndices.isEmpty { loader.mix(buffer, epoch: epoch, batch: index) }
        consumed += 1
        return finish(buffer, index: index)
    }

    private func finish(_ buffer: BatchBuffer, index: Int) -> Batch {
        let p = loader.transform.preprocessing
        return buffer.makeBatch(epoch: epoch, index: index, height: p.height, width: p.width,
                                classCount: loader.dataset.classNames.count)
    }
}
