import GraftCore
import XCTest

final class BatchNormTests: XCTestCase {
    private let epsilon: Float = 1e-5

    /// Training mode (batch statistics), with and without scale and shift, 4-D and 2-D inputs.
    func testTrainingGradients() {
        var g = SeededGenerator(seed: 21)
        for (shape, affine, layout) in [([3, 5, 7, 5], true, LeafLayout.plain), ([2, 12, 3, 5], false, .plain),
                                        ([4, 20], true, .plain), ([5, 3], false, .plain),
                                        ([2, 16, 3, 3], true, .blocked(8)), ([2, 20, 3, 1], true, .blocked(16))] {
            checkTraining(shape, affine: affine, layout: layout, &g)
        }
    }

    /// Inference mode (running statistics), with and without scale and shift.
    func testInferenceGradients() {
        var g = SeededGenerator(seed: 22)
        for (shape, affine, layout) in [([2, 5, 7, 5], true, LeafLayout.plain), ([3, 12, 3, 3], false, .plain),
                                        ([4, 20], true, .plain), ([2, 32, 3, 3], true, .blocked(8))] {
            let c = shape[1]
            let mean = g.normals(c), variance = g.uniforms(c, low: 0.5, high: 2)
            let runningMean = Tensor(shape: [c], values: mean), runningVar = Tensor(shape: [c], values: variance)
            var inputs = [CheckedInput("x", shape, g.normals(shape.reduce(1, *), mean: 0.5, std: 1.5), layout: layout)]
            if affine {
                inputs += [CheckedInput("scale", [c], g.uniforms(c, low: 0.5, high: 1.5)), CheckedInput("shift", [c], g.normals(c))]
            }
            checkGradients(inputs, generator: &g, "inference \(shape) affine \(affine) [\(layout)]") { t in
                batchNorm(t[0], scale: affine ? t[1] : nil, shift: affine ? t[2] : nil,
                          runningMean: runningMean, runningVar: runningVar, training: false, epsilon: epsilon)
            } reference: { r in
                naiveBatchNorm(r[0], scale: affine ? r[1] : nil, shift: affine ? r[2] : nil,
                               mean: mean.map(Double.init), variance: variance.map(Double.init), epsilon: Double(epsilon))
            }
            XCTAssertEqual(runningMean.values, mean, "inference mode moved the running mean")
            XCTAssertEqual(runningVar.values, variance, "inference mode moved the running variance")
        }
    }

    /// Fine-tuning with a frozen input: only scale and shift are trained, in both modes.
    func testGradientsOfScaleAndShiftOnly() {
        var g = SeededGenerator(seed: 23)
        let shape = [2, 5, 3, 3], c = 5
        let x = g.normals(shape.reduce(1, *)), mean = g.normals(c), variance = g.uniforms(c, low: 0.5, high: 2)
        let xTensor = Tensor(shape: shape, values: x), xRef = RefTensor(shape: shape, floats: x)
        for training in [false, true] {
            let runningMean = Tensor(shape: [c], values: mean), runningVar = Tensor(shape: [c], values: variance)
            let stats = training ? naiveBatchStatistics(xRef) : (mean.map(Double.init), variance.map(Double.init))
            checkGradients([CheckedInput("scale", [c], g.uniforms(c, low: 0.5, high: 1.5)), CheckedInput("shift", [c], g.normals(c))],
                           generator: &g, "frozen input, training \(training)") { t in
                batchNorm(xTensor, scale: t[0], shift: t[1], runningMean: runningMean, runningVar: runningVar, training: training)
            } reference: { r in
                naiveBatchNorm(xRef, scale: r[0], shift: r[1], mean: stats.0, variance: stats.1, epsilon: Double(epsilon))
            }
        }
    }

    /// new = (1 - m) old + m batch, with the unbiased batch variance; inference leaves them alone.
    func testRunningStatistics() {
        var g = SeededGenerator(seed: 24)
        for (shape, momentum, layout) in [([3, 5, 4, 3], Float(0.1), LeafLayout.plain), ([6, 7], 0.3, .plain),
                                          ([2, 16, 3, 3], 0.25, .blocked(8))] {
            let c = shape[1], count = shape.reduce(1, *) / c
            let x = g.normals(shape.reduce(1, *), mean: 2, std: 3)
            let oldMean = g.normals(c), oldVar = g.uniforms(c, low: 0.5, high: 2)
            let runningMean = Tensor(shape: [c], values: oldMean), runningVar = Tensor(shape: [c], values: oldVar)
            let input = makeTensor(shape: shape, values: x, layout: layout)
            let y = batchNorm(input, scale: nil, shift: nil, runningMean: runningMean, runningVar: runningVar,
                              training: true, momentum: momentum)
            let stats = naiveBatchStatistics(RefTensor(shape: shape, floats: x))
            let m = Double(momentum)
            let expectedMean = (0..<c).map { (1 - m) * Double(oldMean[$0]) + m * stats.mean[$0] }
            let expectedVar = (0..<c).map {
                (1 - m) * Double(oldVar[$0]) + m * stats.variance[$0] * Double(count) / Double(count - 1)
            }
            assertMatchesReference(runningMean.values, RefTensor(shape: [c], data: expectedMean), "running mean \(shape)")
            assertMatchesReference(runningVar.values, RefTensor(shape: [c], data: expectedVar), "running variance \(shape)")
            // The output used the batch statistics (biased variance), not the running ones.
            assertMatchesReference(y.values, naiveBatchNormTraining(RefTensor(shape: shape, floats: x), scale: nil, shift: nil,
                                                                    epsilon: 1e-5), "training output \(shape)")

            let meanAfter = runningMean.values, varAfter = runningVar.values
            let z = batchNorm(input, scale: nil, shift: nil, runningMean: runningMean, runningVar: runningVar, training: false)
            XCTAssertEqual(runningMean.values, meanAfter, "inference mode changed the running mean")
            XCTAssertEqual(runningVar.values, varAfter, "inference mode changed the running variance")
            assertMatchesReference(z.values, naiveBatchNorm(RefTensor(shape: shape, floats: x), scale: nil, shift: nil,
                                                            mean: meanAfter.map(Double.init), variance: varAfter.map(Double.init),
                                                            epsilon: 1e-5), "inference output \(shape)")
        }
    }

    /// Backward uses the statistics of its own forward, even if the running ones moved on since.
    func testInferenceBackwardUsesStatisticsOfItsForward() {
        var g = SeededGenerator(seed: 25)
        let shape = [2, 3, 2, 2]
        let runningMean = Tensor(shape: [3], values: [0.5, -1, 2]), runningVar = Tensor(shape: [3], values: [1, 4, 0.25])
        let x = Tensor(shape: shape, values: g.normals(24), requiresGrad: true)
        let y = batchNorm(x, scale: nil, shift: nil, runningMean: runningMean, runningVar: runningVar, training: false)
        // Another forward in training mode moves the running statistics before y's backward.
        _ = batchNorm(Tensor(shape: shape, values: g.normals(24, mean: 5)), scale: nil, shift: nil,
                      runningMean: runningMean, runningVar: runningVar, training: true, momentum: 0.5)
        y.backward(gradient: Tensor.ones(shape))
        let expected = (0..<24).map { i -> Double in 1 / (Double([1, 4, 0.25][(i / 4) % 3]) + 1e-5).squareRoot() }
        assertMatchesReference(x.grad!.values, RefTensor(shape: shape, data: expected), "gradient through saved statistics")
    }

    private func checkTraining(_ shape: [Int], affine: Bool, layout: LeafLayout, _ g: inout SeededGenerator) {
        let c = shape[1]
        let runningMean = Tensor.zeros([c]), runningVar = Tensor.ones([c])
        var inputs = [CheckedInput("x", shape, g.normals(shape.reduce(1, *), mean: 1, std: 2), layout: layout)]
        if affine {
            inputs += [CheckedInput("scale", [c], g.uniforms(c, low: 0.5, high: 1.5)), CheckedInput("shift", [c], g.normals(c))]
        }
        checkGradients(inputs, generator: &g, "training \(shape) affine \(affine) [\(layout)]") { t in
            batchNorm(t[0], scale: affine ? t[1] : nil, shift: affine ? t[2] : nil,
                      runningMean: runningMean, runningVar: runningVar, training: true, epsilon: epsilon)
        } reference: { r in
            naiveBatchNormTraining(r[0], scale: affine ? r[1] : nil, shift: affine ? r[2] : nil, epsilon: Double(epsilon))
        }
    }
}
