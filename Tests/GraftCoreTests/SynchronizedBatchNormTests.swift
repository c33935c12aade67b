import Foundation
@testable import GraftCore
import XCTest

/// Synchronized BatchNorm: with a group of one, the op's own gradients against finite
/// differences in double; with slices of one batch on several threads (each thread one process
/// of a data-parallel job), the whole batch's output, gradients and running statistics.
final class SynchronizedBatchNormTests: XCTestCase {
    private let epsilon: Float = 1e-3

    func testGradientsAgainstFiniteDifferencesWithAGroupOfOne() {
        var g = SeededGenerator(seed: 61)
        let alone = SharedBatchStatistics(group: ThreadGroup(size: 1).member())
        for (shape, layout) in [([3, 16, 5, 4], LeafLayout.blocked(8)), ([2, 20, 3, 5], .blocked(16)), ([2, 6, 4, 3], .plain)] {
            for activation in [nil, Activation.relu6, .silu] {
                let c = shape[1], count = shape.reduce(1, *)
                let inputs = [CheckedInput("x", shape, g.normals(count, mean: 0.5, std: 1.5), layout: layout),
                              CheckedInput("scale", [c], g.uniforms(c, low: 1.5, high: 3)),
                              CheckedInput("shift", [c], g.normals(c, mean: 2, std: 2)),
                              CheckedInput("residual", shape, g.normals(count, std: 2), layout: layout)]
                // A step below the default: fewer finite differences straddle a kink of ReLU6.
                checkGradients(inputs, generator: &g, step: 1e-6, "\(shape) \(layout) \(activation.map(\.rawValue) ?? "none")") { t in
                    synchronizedBatchNorm(t[0], scale: t[1], shift: t[2], runningMean: Tensor.zeros([c]), runningVar: Tensor.ones([c]),
                                          epsilon: epsilon, adding: t[3], activation: activation, sharing: alone)
                } reference: { r in
                    let normalized = naiveBatchNormTraining(r[0], scale: r[1], shift: r[2], epsilon: Double(epsilon))
                    let sum = RefTensor(shape: shape, data: zip(normalized.data, r[3].data).map { $0 + $1 })
                    return activation.map { naiveActivation($0, sum) } ?? sum
                }
            }
        }
    }

    /// 5 images in slices of 2, 3 and none (a stand-in image that counts for nothing), each on
    /// its own thread, against the whole batch in one op.
    func testSlicesOnSeveralProcessesGiveTheWholeBatchsResult() throws {
        var g = SeededGenerator(seed: 62)
        let (n, c, h, w) = (5, 12, 3, 4), image = c * h * w
        let x = g.normals(n * image, mean: 0.5, std: 1.5), dy = g.normals(n * image)
        let scale = g.uniforms(c, low: 1.5, high: 3), shift = g.normals(c, mean: 2, std: 2)
        let runningMean = g.normals(c), runningVar = g.uniforms(c, low: 0.5, high: 2)

        struct Result {
            var output: [Float] = [], inputGradient: [Float] = [], scaleGradient: [Float] = [], shiftGradient: [Float] = []
            var runningMean: [Float] = [], runningVar: [Float] = []
            var standInGradient: [Float] = []
        }
        func run(images: Range<Int>, sharing: SharedBatchStatistics?) -> Result {
            let count = max(images.count, 1)
            let values = images.isEmpty ? [Float](repeating: 0, count: image) : Array(x[(images.lowerBound * image)..<(images.upperBound * image)])
            let upstream = images.isEmpty ? [Float](repeating: 0, count: image) : Array(dy[(images.lowerBound * image)..<(images.upperBound * image)])
            let input = makeTensor(shape: [count, c, h, w], values: values, layout: .blocked(8), requiresGrad: true)
            let gamma = Tensor(shape: [c], values: scale, requiresGrad: true), beta = Tensor(shape: [c], values: shift, requiresGrad: true)
            let mean = Tensor(shape: [c], values: runningMean), variance = Tensor(shape: [c], values: runningVar)
            let y = sharing.map {
                synchronizedBatchNorm(input, scale: gamma, shift: beta, runningMean: mean, runningVar: variance, epsilon: epsilon,
                                      activation: .relu6, sharing: $0)
            } ?? batchNorm(input, scale: gamma, shift: beta, runningMean: mean, runningVar: variance, training: true,
                           epsilon: epsilon, activation: .relu6)
            y.backward(gradient: Tensor(shape: y.shape, values: upstream))
            return Result(output: images.isEmpty ? [] : y.values, inputGradient: images.isEmpty ? [] : input.grad!.values,
                          scaleGradient: gamma.grad!.values, shiftGradient: beta.grad!.values,
                          runningMean: mean.values, runningVar: variance.values,
                          standInGradient: images.isEmpty ? input.grad!.values : [])
        }

        let whole = run(images: 0..<n, sharing: nil)
        let slices = [0..<2, 2..<5, 5..<5]
        let group = ThreadGroup(size: slices.count)
        var results = [Result](repeating: Result(), count: slices.count)
        let lock = NSLock(), done = DispatchGroup()
        // A thread each (not a dispatch queue's, which may run two members in turn on one thread
        // when cores are few: the first would wait for the second forever).
        for k in slices.indices {
            done.enter()
            Thread {
                let result = run(images: slices[k], sharing: SharedBatchStatistics(group: group.member(), contributes: !slices[k].isEmpty))
                lock.withLock { results[k] = result }
                done.leave()
            }.start()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "the slices did not finish")
        func assertClose(_ a: [Float], _ b: [Float], _ what: String, tolerance: Float = 1e-5) {
            XCTAssertEqual(a.count, b.count, what)
            let scale = max(b.map(abs).max() ?? 0, 1e-12)
            let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
            XCTAssertLessThanOrEqual(worst / scale, tolerance, "\(what): worst difference \(worst) of at most \(scale)")
        }
        assertClose(results.flatMap(\.output), whole.output, "output")
        assertClose(results.flatMap(\.inputGradient), whole.inputGradient, "input gradient")
        // Each slice's own part: the gradient synchronizer adds them up.
        assertClose(results.map(\.scaleGradient).reduce([Float](repeating: 0, count: c)) { zip($0, $1).map(+) }, whole.scaleGradient, "scale gradient")
        assertClose(results.map(\.shiftGradient).reduce([Float](repeating: 0, count: c)) { zip($0, $1).map(+) }, whole.shiftGradient, "shift gradient")
        XCTAssertEqual(results[2].scaleGradient, [Float](repeating: 0, count: c), "the stand-in brought a gradient")
        XCTAssertEqual(results[2].standInGradient, [Float](repeating: 0, count: image), "the stand-in's input has a gradient")
        for result in results {
            assertClose(result.runningMean, whole.runningMean, "running mean")
            assertClose(result.runningVar, whole.runningVar, "running variance")
        }
    }
}

/// Threads of one process standing in for the processes of a job: each `member()` sums with
/// the others once all of them have called.
private final class ThreadGroup {
    let size: Int
    private let condition = NSCondition()
    private var pending: [Double]?
    private var arrived = 0
    private var generation = 0
    private var completed: [Double] = []

    init(size: Int) { self.size = size }

    func member() -> Member { Member(group: self) }

    final class Member: BatchStatisticsGroup {
        let group: ThreadGroup
        init(group: ThreadGroup) { self.group = group }
        func sumOverGroup(_ values: [Double]) -> [Double] { group.sum(values) }
    }

    private func sum(_ values: [Double]) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let round = generation
        pending = pending.map { zip($0, values).map(+) } ?? values
        arrived += 1
        if arrived == size {
            completed = pending!
            pending = nil
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == round { condition.wait() }
        }
        return completed
    }
}
