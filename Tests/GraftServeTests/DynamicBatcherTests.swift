import Foundation
import GraftCore
import GraftModels
import GraftNN
@testable import GraftServe
import XCTest

/// The batcher alone, in front of a model that holds each pass until the test lets it go: what
/// runs together, in which order, and what is refused.
final class DynamicBatcherTests: XCTestCase {
    /// Each example's output is its three channel means (so every answer names its input), and a
    /// pass waits at `gate` when one is set.
    private final class ChannelMeans: Module, @unchecked Sendable {
        let gate = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var gating = false
        private var allPasses: [Int] = []
        private var warmUpPasses = 0

        /// Passes after the warm-up.
        var passes: [Int] { lock.withLock { Array(allPasses.dropFirst(warmUpPasses)) } }

        /// From now on each pass waits at the gate; the passes so far were the warm-up.
        func warmedUp(gating: Bool) {
            lock.withLock {
                warmUpPasses = allPasses.count
                self.gating = gating
            }
        }

        override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
            let waits = lock.withLock {
                allPasses.append(x.shape[0])
                return gating
            }
            if waits { gate.wait() }
            return flatten(globalAvgPool2d(x))
        }
    }

    private func warmBatcher(_ model: ChannelMeans, _ limits: BatchingLimits, gating: Bool = false) async throws -> DynamicBatcher {
        let batcher = DynamicBatcher(executor: InferenceExecutor(model: model, inputShape: [3, 2, 2]), limits: limits)
        while !batcher.isWarm { try await Task.sleep(nanoseconds: 1_000_000) }
        model.warmedUp(gating: gating)
        return batcher
    }

    /// Example `marker`: every pixel of channel c is marker + c.
    private func batch(_ markers: [Int]) -> InferenceBatch {
        InferenceBatch(shape: [markers.count, 3, 2, 2], values: markers.flatMap { marker in
            (0..<3).flatMap { channel in Array(repeating: Float(marker + channel), count: 4) }
        })
    }

    private func expected(_ markers: [Int]) -> [Float] { markers.flatMap { [Float($0), Float($0 + 1), Float($0 + 2)] } }

    func testConcurrentRequestsShareBatchesAndEachGetsItsOwnRows() async throws {
        let model = ChannelMeans()
        let batcher = try await warmBatcher(model, BatchingLimits(maxBatch: 8, maxDelay: 0.2, queueCapacity: 64, timeout: 30))
        defer { batcher.stop() }
        let outputs = try await withThrowingTaskGroup(of: (Int, InferenceOutput).self) { group in
            for marker in 0..<16 { group.addTask { (marker, try await batcher.logits(self.batch([marker * 10]))) } }
            return try await group.reduce(into: [Int: InferenceOutput]()) { $0[$1.0] = $1.1 }
        }
        for marker in 0..<16 { XCTAssertEqual(outputs[marker]?.values, expected([marker * 10])) }
        XCTAssertEqual(model.passes.reduce(0, +), 16)
        XCTAssertLessThan(model.passes.count, 16, "16 requests inside the delay ran one by one: \(model.passes)")
        XCTAssertTrue(model.passes.allSatisfy([1, 2, 4, 8].contains), "\(model.passes)")
    }

    func testPassesTakeThePassSizesAndCutARequestAcrossThem() async throws {
        XCTAssertEqual(BatchingLimits(maxBatch: 32).passSizes, [1, 2, 4, 8, 16, 32])
        XCTAssertEqual(BatchingLimits(maxBatch: 12).passSizes, [1, 2, 4, 8, 12])
        XCTAssertEqual(BatchingLimits(maxBatch: 1).passSizes, [1])
        let model = ChannelMeans()
        let batcher = try await warmBatcher(model, BatchingLimits(maxBatch: 8, maxDelay: 0, queueCapacity: 64, timeout: 30))
        defer { batcher.stop() }
        // 7 examples: passes of 4, 2 and 1, each request's rows still in order.
        let output = try await batcher.logits(batch(Array(0..<7)))
        XCTAssertEqual(output.values, expected(Array(0..<7)))
        XCTAssertEqual(model.passes, [4, 2, 1])
    }

    func testALargeRequestSpansSeveralPassesInOrder() async throws {
        let model = ChannelMeans()
        let batcher = try await warmBatcher(model, BatchingLimits(maxBatch: 8, maxDelay: 0, queueCapacity: 64, timeout: 30))
        defer { batcher.stop() }
        let markers = Array(0..<20)
        let output = try await batcher.logits(batch(markers))
        XCTAssertEqual(output.shape, [20, 3])
        XCTAssertEqual(output.values, expected(markers))
        XCTAssertEqual(model.passes, [8, 8, 4])
    }

    func testAFullQueueRefusesAndATimedOutRequestIsAnswered() async throws {
        let model = ChannelMeans()
        let batcher = try await warmBatcher(model, BatchingLimits(maxBatch: 4, maxDelay: 0, queueCapacity: 4, timeout: 0.3), gating: true)
        // The first request's pass holds at the gate; the second fills the queue; the third is refused.
        async let first = batcher.logits(batch([1]))
        while model.passes.isEmpty { try await Task.sleep(nanoseconds: 1_000_000) }
        async let second = batcher.logits(batch([2, 3, 4, 5]))
        while batcher.queueDepth < 4 { try await Task.sleep(nanoseconds: 1_000_000) }
        do {
            _ = try await batcher.logits(batch([6]))
            XCTFail("a request beyond the queue's capacity was accepted")
        } catch let error as ServeError {
            XCTAssertEqual(error, .queueFull(waiting: 4, capacity: 4))
            XCTAssertEqual(error.status, .serviceUnavailable)
        }
        // Past the timeout, the waiting request is answered with a timeout once the pass ends.
        try await Task.sleep(nanoseconds: 500_000_000)
        model.gate.signal()
        let firstValues = try await first.values
        XCTAssertEqual(firstValues, expected([1]))
        do {
            _ = try await second
            XCTFail("a request that waited past its timeout ran")
        } catch let error as ServeError {
            XCTAssertEqual(error, .timedOut(seconds: 0.3))
        }
        batcher.stop()
        do {
            _ = try await batcher.logits(batch([7]))
            XCTFail("a stopped batcher accepted work")
        } catch let error as ServeError {
            XCTAssertEqual(error, .shuttingDown)
        }
    }
}
