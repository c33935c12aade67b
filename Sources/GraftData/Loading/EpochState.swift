import Foundation

/// The state the consumer and the workers share, guarded by one condition variable.
final class EpochState: @unchecked Sendable {
    let loader: DataLoader
    let epoch: Int
    let order: [Int]
    let batchCount: Int
    let sampleCount: Int
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
        order = loader.order(epoch: epoch)
        batchCount = loader.batchesPerEpoch
        sampleCount = loader.samplesPerEpoch
    }

    private var batchSize: Int { loader.options.batchSize }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Must be called with the lock held.
    private func buffer(for batch: Int) -> BatchBuffer {
        if let existing = buffers[batch] { return existing }
        let start = batch * batchSize, end = min(start + batchSize, sampleCount)
        let indices = Array(order[start..<end])
        let buffer = BatchBuffer(sampleIndices: indices, labels: indices.map { loader.dataset.samples[$0].label },
                                 sampleSize: loader.transform.sampleSize)
        buffers[batch] = buffer
        return buffer
    }

    func workLoop() {
        let prefetch = loader.options.prefetchBatches
        let sampleSize = loader.transform.sampleSize
        while true {
            condition.lock()
            while !stopped && failure == nil && nextPosition < sampleCount && nextPosition / batchSize >= consumed + prefetch {
                condition.wait()
            }
            if stopped || failure != nil || nextPosition >= sampleCount {
                condition.unlock()
                return
            }
            let position = nextPosition
            nextPosition += 1
            let batch = position / batchSize, slot = position % batchSize
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
        loader.mix(buffer, epoch: epoch, batch: index)
        consumed += 1
        return finish(buffer, index: index)
    }

    private func finish(_ buffer: BatchBuffer, index: Int) -> Batch {
        let p = loader.transform.preprocessing
        return buffer.makeBatch(epoch: epoch, index: index, height: p.height, width: p.width,
                                classCount: loader.dataset.classNames.count)
    }
}
