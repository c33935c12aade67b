import Foundation
import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// Inference submitted from many threads at once through one executor gives, bit for bit, what
/// the same batches give one after another.
final class InferenceExecutorTests: XCTestCase {
    private static let size = 32

    /// A small random MobileNetV2 (its inverted residuals exercise every fused path) with
    /// BatchNorm statistics away from 0 / 1, so that the logits depend on the input.
    private func model(seed: UInt64 = 1) -> MobileNetV2 {
        let model = MobileNetV2(classes: 10, seed: seed)
        var g = SeededGenerator(seed: seed + 1)
        for (name, buffer) in model.namedBuffers() {
            let variance = name.hasSuffix("running_var")
            buffer.assign((0..<buffer.count).map { _ in Float.random(in: variance ? 0.5...1.5 : -0.2...0.2, using: &g) })
        }
        return model
    }

    private func batches(_ count: Int, seed: UInt64) -> [InferenceBatch] {
        var g = SeededGenerator(seed: seed)
        let shape = [2, 3, Self.size, Self.size]
        return (0..<count).map { _ in
            InferenceBatch(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &g) })
        }
    }

    /// Each batch run directly on the test thread, one after another.
    private func serial(_ model: Module, _ batches: [InferenceBatch]) -> [[Float]] {
        batches.map { batch in
            GradMode.withoutGradients { model(Tensor(shape: batch.shape, values: batch.values), context: .inference) }.values
        }
    }

    /// `threads` threads each submit every batch `rounds` times, in an order of their own.
    private func concurrent(_ executor: InferenceExecutor, _ batches: [InferenceBatch], threads: Int, rounds: Int = 1)
        -> [[(index: Int, values: [Float])]] {
        let results = Locked([[(index: Int, values: [Float])]](repeating: [], count: threads))
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            var g = SeededGenerator(seed: UInt64(100 + thread))
            var mine: [(Int, [Float])] = []
            for _ in 0..<rounds {
                for index in batches.indices.shuffled(using: &g) {
                    mine.append((index, try! executor.logits(batches[index]).values))
                }
            }
            results.withLock { $0[thread] = mine }
        }
        return results.withLock { $0 }
    }

    func testEightThreadsGiveTheSerialResultsBitForBit() throws {
        let model = model()
        let batches = batches(10, seed: 5)
        let expected = serial(model, batches)
        // Not degenerate: the two examples of a batch, and two batches, get different logits.
        XCTAssertNotEqual(Array(expected[0][0..<10]), Array(expected[0][10..<20]))
        XCTAssertNotEqual(expected[0], expected[1])
        let executor = InferenceExecutor(model: model, inputShape: [3, Self.size, Self.size])
        XCTAssertEqual(try batches.map { try executor.logits($0).values }, expected, "the executor alone differs")
        let results = concurrent(executor, batches, threads: 8)
        XCTAssertEqual(results.map(\.count), [Int](repeating: 10, count: 8))
        for (thread, outputs) in results.enumerated() {
            for (index, values) in outputs { XCTAssertEqual(values, expected[index], "thread \(thread), batch \(index)") }
        }
    }

    /// Two executors with models of their own run at the same time: cached primitives are shared
    /// between threads, each execution with its own scratchpad.
    func testTwoExecutorsAtOnceGiveTheirSerialResults() {
        let models = [model(seed: 1), model(seed: 3)]
        let batches = batches(4, seed: 9)
        let expected = models.map { serial($0, batches) }
        let executors = models.map { InferenceExecutor(model: $0, inputShape: [3, Self.size, Self.size]) }
        let results = Locked([[[(index: Int, values: [Float])]]](repeating: [], count: 2))
        DispatchQueue.concurrentPerform(iterations: 2) { which in
            let outputs = concurrent(executors[which], batches, threads: 4, rounds: 2)
            results.withLock { $0[which] = outputs }
        }
        for which in 0..<2 {
            for outputs in results.withLock({ $0[which] }) {
                XCTAssertEqual(outputs.count, 8)
                for (index, values) in outputs { XCTAssertEqual(values, expected[which][index], "model \(which), batch \(index)") }
            }
        }
    }

    func testAsyncSubmissionsMatchSerialResults() async throws {
        let model = model()
        let batches = batches(3, seed: 11)
        let expected = serial(model, batches)
        let executor = InferenceExecutor(model: model, inputShape: [3, Self.size, Self.size])
        let outputs = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, batch) in batches.enumerated() {
                group.addTask { (index, try await executor.logits(batch).values) }
            }
            var outputs = [[Float]](repeating: [], count: batches.count)
            for try await (index, values) in group { outputs[index] = values }
            return outputs
        }
        XCTAssertEqual(outputs, expected)
    }

    /// Inference on the worker is unaffected by the caller's grad mode, and records nothing.
    func testRunsWithoutGradientsWhateverTheCaller() throws {
        let model = model()
        let executor = InferenceExecutor(model: model, inputShape: [3, Self.size, Self.size])
        let batch = batches(1, seed: 2)[0]
        AutodiffStats.shared.reset()
        XCTAssertTrue(GradMode.isEnabled)
        let output = try executor.logits(batch)
        XCTAssertEqual(output.shape, [2, 10])
        XCTAssertEqual(AutodiffStats.shared.recorded, [:])
        XCTAssertEqual(output.values, serial(model, [batch])[0])
    }

    func testMalformedBatchesAreRefusedWithTheReason() {
        let executor = InferenceExecutor(model: model(), inputShape: [3, Self.size, Self.size], maxBatchSize: 4)
        let pixels = 3 * Self.size * Self.size
        XCTAssertThrowsError(try executor.logits(InferenceBatch(shape: [1, 3, Self.size, Self.size], values: [0]))) {
            XCTAssertEqual($0 as? InferenceError, .valueCountMismatch(shape: [1, 3, Self.size, Self.size], count: 1))
        }
        XCTAssertThrowsError(try executor.logits(InferenceBatch(shape: [1, 3, 16, 64], values: [Float](repeating: 0, count: pixels)))) {
            XCTAssertEqual($0 as? InferenceError, .shapeMismatch(expected: [3, Self.size, Self.size], got: [1, 3, 16, 64]))
            XCTAssertTrue(String(describing: $0).contains("[1, 3, 16, 64]"))
        }
        XCTAssertThrowsError(try executor.logits(InferenceBatch(shape: [0, 3, Self.size, Self.size], values: []))) {
            XCTAssertEqual($0 as? InferenceError, .emptyBatch)
        }
        XCTAssertThrowsError(try executor.logits(InferenceBatch(shape: [5, 3, Self.size, Self.size],
                                                                values: [Float](repeating: 0, count: 5 * pixels)))) {
            XCTAssertEqual($0 as? InferenceError, .batchTooLarge(size: 5, limit: 4))
        }
        XCTAssertThrowsError(try executor.logits(for: [])) { XCTAssertEqual($0 as? InferenceError, .noPreprocessing) }
    }
}
