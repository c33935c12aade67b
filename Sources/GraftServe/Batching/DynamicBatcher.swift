import Foundation
import GraftModels

/// Gathers the examples of concurrent requests for one model into batches: the first waiting
/// example waits at most `maxDelay` for others, a pass takes up to `maxBatch` of them in arrival
/// order, in one of `BatchingLimits.passSizes` (a large request spans several passes), and each
/// request is answered when all of its examples have run. Before taking work it runs each pass
/// size once, so that readiness means no request pays for creating kernels.
///
/// The gathering runs on a thread of its own, which hands each batch to the model's executor
/// and waits for it; request tasks only enqueue and suspend, so no event loop or task thread
/// ever waits on the model.
final class DynamicBatcher: @unchecked Sendable {
    let limits: BatchingLimits
    private let executor: InferenceExecutor
    private let observer: BatchObserver
    private let condition = NSCondition()
    private var waiting: [Slice] = []
    private var waitingExamples = 0
    private var stopping = false
    private var stopped = false
    private var warm = false

    init(executor: InferenceExecutor, limits: BatchingLimits, observer: BatchObserver = BatchObserver()) {
        self.executor = executor
        self.limits = limits
        self.observer = observer
        let thread = Thread { [self] in run() }
        thread.name = "graft.batcher"
        thread.start()
    }

    /// The logits of `batch` (N, C, H, W), one row per example, once its examples have run.
    func logits(_ batch: InferenceBatch) async throws -> InferenceOutput {
        let request = PendingRequest(batch: batch, deadline: Date().addingTimeInterval(limits.timeout))
        return try await withCheckedThrowingContinuation { continuation in
            request.continuation = continuation
            do { try enqueue(request) } catch { continuation.resume(throwing: error) }
        }
    }

    /// Examples waiting for a pass now.
    var queueDepth: Int { condition.withLock { waitingExamples } }

    /// Lets every accepted request finish, then ends the thread; later requests are refused.
    func stop() {
        condition.withLock {
            stopping = true
            condition.broadcast()
            while !stopped { condition.wait() }
        }
    }

    private func enqueue(_ request: PendingRequest) throws {
        let count = request.batch.count
        try condition.withLock {
            if stopping { throw ServeError.shuttingDown }
            guard waitingExamples + count <= limits.queueCapacity else {
                throw ServeError.queueFull(waiting: waitingExamples, capacity: limits.queueCapacity)
            }
            waiting.append(Slice(request: request, range: 0..<count, arrival: Date()))
            waitingExamples += count
            observer.queueDepthChanged(waitingExamples)
            condition.signal()
        }
    }

    /// Whether every pass size has run once, so that no request pays for creating kernels.
    var isWarm: Bool { condition.withLock { warm } }

    private func run() {
        warmUp()
        while let batch = nextBatch() { execute(batch) }
        condition.withLock {
            stopped = true
            condition.broadcast()
        }
    }

    /// Waits for examples, then for the batch to fill or the oldest example's delay to pass;
    /// requests whose time ran out in the queue are answered with a timeout here.
    private func nextBatch() -> [Slice]? {
        condition.withLock {
            while true {
                while waiting.isEmpty && !stopping { condition.wait() }
                if waiting.isEmpty { return nil }
                let due = waiting[0].arrival.addingTimeInterval(limits.maxDelay)
                while waitingExamples < limits.maxBatch && !stopping && Date() < due {
                    _ = condition.wait(until: due)
                }
                dropExpired()
                if let batch = takeBatch() { return batch }
            }
        }
    }

    private func dropExpired() {
        let now = Date()
        var kept: [Slice] = []
        for slice in waiting {
            if slice.request.deadline < now {
                waitingExamples -= slice.range.count
                slice.request.fail(ServeError.timedOut(seconds: limits.timeout))
            } else {
                kept.append(slice)
            }
        }
        waiting = kept
    }

    /// The oldest waiting examples, as many as the largest pass size they fill; a request's
    /// slice may be cut, its rest staying first in line.
    private func takeBatch() -> [Slice]? {
        guard let size = limits.passSizes.last(where: { $0 <= waitingExamples }) else { return nil }
        var taken: [Slice] = []
        var examples = 0
        while examples < size, !waiting.isEmpty {
            var next = waiting.removeFirst()
            let room = size - examples
            if next.range.count > room {
                let rest = Slice(request: next.request, range: next.range.lowerBound + room ..< next.range.upperBound, arrival: next.arrival)
                next = Slice(request: next.request, range: next.range.lowerBound ..< next.range.lowerBound + room, arrival: next.arrival)
                waiting.insert(rest, at: 0)
            }
            taken.append(next)
            examples += next.range.count
        }
        waitingExamples -= examples
        observer.queueDepthChanged(waitingExamples)
        return taken
    }

    /// One pass of zeros at each pass size, largest first (its buffers then serve the smaller).
    private func warmUp() {
        let width = executor.inputShape.reduce(1, *)
        for size in limits.passSizes.reversed() {
            if condition.withLock({ stopping }) { break }
            _ = try? executor.logits(InferenceBatch(shape: [size] + executor.inputShape, values: [Float](repeating: 0, count: size * width)))
        }
        condition.withLock { warm = true }
    }

    private func execute(_ slices: [Slice]) {
        let width = executor.inputShape.reduce(1, *)
        var values: [Float] = []
        values.reserveCapacity(slices.reduce(0) { $0 + $1.range.count } * width)
        for slice in slices {
            values += slice.request.batch.values[slice.range.lowerBound * width ..< slice.range.upperBound * width]
        }
        let count = values.count / width
        let started = Date()
        do {
            let output = try executor.logits(InferenceBatch(shape: [count] + executor.inputShape, values: values))
            observer.batchRan(count, Date().timeIntervalSince(started))
            var row = 0
            for slice in slices {
                slice.request.complete(slice.range, rows: (row ..< row + slice.range.count).map { Array(output.row($0)) })
                row += slice.range.count
            }
        } catch {
            for slice in slices { slice.request.fail(error) }
        }
    }

    /// A run of consecutive examples of one request.
    private struct Slice {
        let request: PendingRequest
        let range: Range<Int>
        let arrival: Date
    }
}

/// What the batcher reports as it works, for metrics.
struct BatchObserver: Sendable {
    var queueDepthChanged: @Sendable (Int) -> Void = { _ in }
    var batchRan: @Sendable (_ size: Int, _ seconds: Double) -> Void = { _, _ in }
}

/// One request's examples while some of them wait or run: answered once, when the last slice
/// is done or the first one fails.
private final class PendingRequest: @unchecked Sendable {
    let batch: InferenceBatch
    let deadline: Date
    var continuation: CheckedContinuation<InferenceOutput, any Error>?
    private let lock = NSLock()
    private var rows: [[Float]?]
    private var remaining: Int

    init(batch: InferenceBatch, deadline: Date) {
        self.batch = batch
        self.deadline = deadline
        rows = Array(repeating: nil, count: batch.count)
        remaining = batch.count
    }

    func complete(_ range: Range<Int>, rows done: [[Float]]) {
        let finished: [Float]? = lock.withLock {
            guard continuation != nil else { return nil }
            for (offset, row) in done.enumerated() { rows[range.lowerBound + offset] = row }
            remaining -= range.count
            return remaining == 0 ? rows.flatMap { $0! } : nil
        }
        if let finished { resume(.success(InferenceOutput(shape: [batch.count, finished.count / max(batch.count, 1)], values: finished))) }
    }

    func fail(_ error: any Error) { resume(.failure(error)) }

    private func resume(_ result: Result<InferenceOutput, any Error>) {
        let waiter: CheckedContinuation<InferenceOutput, any Error>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        waiter?.resume(with: result)
    }
}
