import CGraftKernels
@testable import GraftCore
import XCTest

/// BatchNorm followed by a clipping activation in Graft's kernel, against the naive reference and
/// against oneDNN's two separate ops.
final class BatchNormActivationTests: XCTestCase {
    private let epsilon: Float = 1e-3

    private let defaultStreamingThreshold = BatchNormKernel.streamingThresholdBytes

    override func tearDown() {
        BatchNormKernel.isa = graft_best_isa()
        BatchNormKernel.streamingThresholdBytes = defaultStreamingThreshold
    }

    /// Scale and shift that put the outputs on both sides of 0 and 6, so every branch of ReLU6 runs.
    private func parameters(_ c: Int, _ g: inout SeededGenerator) -> [CheckedInput] {
        [CheckedInput("scale", [c], g.uniforms(c, low: 1.5, high: 3)), CheckedInput("shift", [c], g.normals(c, mean: 2, std: 2))]
    }

    func testTrainingGradients() {
        var g = SeededGenerator(seed: 31)
        for (shape, affine, block) in [([3, 16, 5, 4], true, 8), ([2, 20, 3, 5], true, 16), ([2, 12, 4, 3], false, 8)] {
            for activation in [nil, Activation.relu, .relu6] {
                let c = shape[1]
                var inputs = [CheckedInput("x", shape, g.normals(shape.reduce(1, *), mean: 0.5, std: 1.5), layout: .blocked(block))]
                if affine { inputs += parameters(c, &g) }
                checkGradients(inputs, generator: &g, "training \(shape) \(activation.map(\.rawValue) ?? "none") affine \(affine)") { t in
                    batchNorm(t[0], scale: affine ? t[1] : nil, shift: affine ? t[2] : nil, runningMean: Tensor.zeros([c]),
                              runningVar: Tensor.ones([c]), training: true, epsilon: epsilon, activation: activation)
                } reference: { r in
                    let y = naiveBatchNormTraining(r[0], scale: affine ? r[1] : nil, shift: affine ? r[2] : nil,
                                                   epsilon: Double(epsilon))
                    return activation.map { naiveActivation($0, y) } ?? y
                }
            }
        }
    }

    func testInferenceGradients() {
        var g = SeededGenerator(seed: 32)
        for (shape, block) in [([2, 16, 3, 5], 8), ([3, 20, 4, 2], 16)] {
            let c = shape[1]
            let mean = g.normals(c), variance = g.uniforms(c, low: 0.5, high: 2)
            let runningMean = Tensor(shape: [c], values: mean), runningVar = Tensor(shape: [c], values: variance)
            let inputs = [CheckedInput("x", shape, g.normals(shape.reduce(1, *), mean: 0.5, std: 1.5), layout: .blocked(block))]
                + parameters(c, &g)
            checkGradients(inputs, generator: &g, "inference \(shape)") { t in
                batchNorm(t[0], scale: t[1], shift: t[2], runningMean: runningMean, runningVar: runningVar,
                          training: false, epsilon: epsilon, activation: .relu6)
            } reference: { r in
                naiveActivation(.relu6, naiveBatchNorm(r[0], scale: r[1], shift: r[2], mean: mean.map(Double.init),
                                                       variance: variance.map(Double.init), epsilon: Double(epsilon)))
            }
            XCTAssertEqual(runningMean.values, mean, "inference mode moved the running mean")
            XCTAssertEqual(runningVar.values, variance, "inference mode moved the running variance")
        }
    }

    /// With a residual added before the activation (ResNet's blocks; the projection of an inverted
    /// residual, without activation). The residual comes blocked, as in a network, or plain.
    func testGradientsWithResidual() {
        var g = SeededGenerator(seed: 37)
        for (shape, block, residualLayout) in [([3, 16, 5, 4], 8, LeafLayout.blocked(8)), ([2, 20, 3, 5], 16, .blocked(16)),
                                               ([2, 8, 4, 3], 8, .plain)] {
            for activation in [nil, Activation.relu, .relu6] {
                for training in [true, false] {
                    let c = shape[1], count = shape.reduce(1, *)
                    let mean = g.normals(c), variance = g.uniforms(c, low: 0.5, high: 2)
                    let inputs = [CheckedInput("x", shape, g.normals(count, mean: 0.5, std: 1.5), layout: .blocked(block))]
                        + parameters(c, &g)
                        + [CheckedInput("residual", shape, g.normals(count, std: 2), layout: residualLayout)]
                    let label = "\(shape) \(activation.map(\.rawValue) ?? "none") training \(training) residual \(residualLayout)"
                    checkGradients(inputs, generator: &g, label) { t in
                        batchNorm(t[0], scale: t[1], shift: t[2], runningMean: Tensor(shape: [c], values: mean),
                                  runningVar: Tensor(shape: [c], values: variance), training: training, epsilon: epsilon,
                                  adding: t[3], activation: activation)
                    } reference: { r in
                        let normalized = training
                            ? naiveBatchNormTraining(r[0], scale: r[1], shift: r[2], epsilon: Double(epsilon))
                            : naiveBatchNorm(r[0], scale: r[1], shift: r[2], mean: mean.map(Double.init),
                                             variance: variance.map(Double.init), epsilon: Double(epsilon))
                        let sum = RefTensor(shape: shape, data: zip(normalized.data, r[3].data).map { $0 + $1 })
                        return activation.map { naiveActivation($0, sum) } ?? sum
                    }
                }
            }
        }
    }

    /// Only one of the input and the residual needs a gradient: each gets its own, the other none.
    func testResidualOrInputAloneNeedsGradient() {
        var g = SeededGenerator(seed: 38)
        let shape = [2, 8, 3, 3], c = 8, count = shape.reduce(1, *)
        let x = g.normals(count), r = g.normals(count), upstream = g.normals(count)
        func run(inputGrad: Bool, residualGrad: Bool, fused: Bool) -> (Tensor, Tensor) {
            let input = makeTensor(shape: shape, values: x, layout: .blocked(8), requiresGrad: inputGrad)
            let residual = makeTensor(shape: shape, values: r, layout: .blocked(8), requiresGrad: residualGrad)
            let (mean, variance) = (Tensor.zeros([c]), Tensor.ones([c]))
            let y = fused
                ? batchNorm(input, scale: nil, shift: nil, runningMean: mean, runningVar: variance, training: true,
                            adding: residual, activation: .relu6)
                : relu6(add(batchNorm(input, scale: nil, shift: nil, runningMean: mean, runningVar: variance,
                                      training: true), residual))
            y.backward(gradient: Tensor(shape: shape, values: upstream))
            return (input, residual)
        }
        for (inputGrad, residualGrad) in [(true, false), (false, true)] {
            let (fusedInput, fusedResidual) = run(inputGrad: inputGrad, residualGrad: residualGrad, fused: true)
            let (input, residual) = run(inputGrad: inputGrad, residualGrad: residualGrad, fused: false)
            XCTAssertEqual(fusedInput.grad == nil, !inputGrad)
            XCTAssertEqual(fusedResidual.grad == nil, !residualGrad)
            if let a = fusedInput.grad, let b = input.grad { XCTAssertLessThan(relativeDifference(a.values, b.values), 1e-5) }
            if let a = fusedResidual.grad, let b = residual.grad { XCTAssertLessThan(relativeDifference(a.values, b.values), 1e-5) }
        }
    }

    /// One op's output, running statistics after it, and the gradients of x, scale and shift.
    private struct Outcome {
        let output: [Float], runningMean: [Float], runningVar: [Float], gradients: [[Float]]
    }

    private func run(_ x: [Float], _ shape: [Int], block: Int, training: Bool, fused: Bool, upstream: [Float],
                     _ g: inout SeededGenerator) -> Outcome {
        var parameterGenerator = SeededGenerator(seed: 7)
        let c = shape[1]
        let input = makeTensor(shape: shape, values: x, layout: .blocked(block), requiresGrad: true)
        let scale = Tensor(shape: [c], values: parameterGenerator.uniforms(c, low: 1.5, high: 3), requiresGrad: true)
        let shift = Tensor(shape: [c], values: parameterGenerator.normals(c, mean: 2, std: 2), requiresGrad: true)
        let runningMean = Tensor(shape: [c], values: parameterGenerator.normals(c))
        let runningVar = Tensor(shape: [c], values: parameterGenerator.uniforms(c, low: 0.5, high: 2))
        let y = fused
            ? batchNorm(input, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar,
                        training: training, momentum: 0.3, epsilon: epsilon, activation: .relu6)
            : relu6(batchNorm(input, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar,
                              training: training, momentum: 0.3, epsilon: epsilon))
        y.backward(gradient: Tensor(shape: shape, values: upstream))
        return Outcome(output: y.values, runningMean: runningMean.values, runningVar: runningVar.values,
                       gradients: [input, scale, shift].map { $0.grad!.values })
    }

    /// The kernel agrees with oneDNN's BatchNorm then ReLU6 to 1e-5 relative, in both modes and
    /// both block widths (20 channels leave a partly padded block), and it really ran.
    func testMatchesSeparateOps() {
        var g = SeededGenerator(seed: 33)
        for (shape, block, streams) in [([4, 40, 9, 7], 8, false), ([3, 20, 6, 5], 16, false), ([4, 40, 9, 7], 8, true)] {
            // Outputs written past the caches, as large layers' are.
            BatchNormKernel.streamingThresholdBytes = streams ? 0 : defaultStreamingThreshold
            for training in [true, false] {
                let x = g.normals(shape.reduce(1, *), mean: 0.5, std: 1.5), upstream = g.normals(shape.reduce(1, *))
                let before = AutodiffStats.shared.kernels["batchNormActivation.backward", default: 0]
                let fused = run(x, shape, block: block, training: training, fused: true, upstream: upstream, &g)
                XCTAssertEqual(AutodiffStats.shared.kernels["batchNormActivation.backward", default: 0], before + 1)
                let separate = run(x, shape, block: block, training: training, fused: false, upstream: upstream, &g)
                let label = "\(shape) nChw\(block)c training \(training) streaming \(streams)"
                XCTAssertLessThan(relativeDifference(fused.output, separate.output), 1e-5, "output, \(label)")
                XCTAssertLessThan(relativeDifference(fused.runningMean, separate.runningMean), 1e-6, "running mean, \(label)")
                XCTAssertLessThan(relativeDifference(fused.runningVar, separate.runningVar), 1e-6, "running variance, \(label)")
                for (name, k) in [("x", 0), ("scale", 1), ("shift", 2)] {
                    XCTAssertLessThan(relativeDifference(fused.gradients[k], separate.gradients[k]), 1e-5, "d\(name), \(label)")
                }
            }
        }
    }

    /// The baseline and AVX2 builds of the kernel give what the best one gives (the sums are in
    /// double and in a fixed order, so only the rounding of multiply-adds may differ).
    func testEveryInstructionSetAgrees() {
        var g = SeededGenerator(seed: 34)
        let shape = [3, 24, 5, 6]
        let x = g.normals(shape.reduce(1, *), mean: 0.5, std: 1.5), upstream = g.normals(shape.reduce(1, *))
        for block in [8, 16] {
            BatchNormKernel.isa = graft_best_isa()
            let best = run(x, shape, block: block, training: true, fused: true, upstream: upstream, &g)
            for isa in [GRAFT_ISA_BASELINE, GRAFT_ISA_AVX2] where isa.rawValue < graft_best_isa().rawValue {
                BatchNormKernel.isa = isa
                let other = run(x, shape, block: block, training: true, fused: true, upstream: upstream, &g)
                let label = "nChw\(block)c, isa \(isa.rawValue)"
                XCTAssertLessThan(relativeDifference(other.output, best.output), 1e-6, "output, \(label)")
                for k in 0..<3 {
                    XCTAssertLessThan(relativeDifference(other.gradients[k], best.gradients[k]), 1e-5, "gradient \(k), \(label)")
                }
            }
        }
    }

    /// A NaN stays NaN (it is not clipped to 0 or 6), so a diverging run is still noticed.
    func testNaNIsNotClippedAway() {
        var g = SeededGenerator(seed: 35)
        var x = g.normals(2 * 8 * 3 * 3)
        x[0] = .nan
        let y = batchNorm(makeTensor(shape: [2, 8, 3, 3], values: x, layout: .blocked(8)), scale: nil, shift: nil,
                          runningMean: Tensor.zeros([8]), runningVar: Tensor.ones([8]), training: true, activation: .relu6)
        // Channel 0's statistics are NaN, so its every output is; the other channels are finite.
        let values = y.values
        XCTAssertTrue((0..<2).allSatisfy { n in (0..<9).allSatisfy { values[n * 72 + $0].isNaN } })
        XCTAssertTrue(values.enumerated().filter { ($0.offset % 72) >= 9 }.allSatisfy { $0.element.isFinite })
    }

    /// Inputs the kernel does not cover (plain layout, sigmoid) run as the two separate ops.
    func testOtherInputsFallBackToSeparateOps() {
        var g = SeededGenerator(seed: 36)
        let shape = [2, 8, 3, 3]
        let x = g.normals(shape.reduce(1, *))
        for (layout, activation) in [(LeafLayout.plain, Activation.relu6), (.blocked(8), .sigmoid)] {
            let input = makeTensor(shape: shape, values: x, layout: layout, requiresGrad: true)
            let y = batchNorm(input, scale: nil, shift: nil, runningMean: Tensor.zeros([8]), runningVar: Tensor.ones([8]),
                              training: true, activation: activation)
            XCTAssertEqual(y.gradNode?.op, activation.rawValue, "\(layout) \(activation)")
            let expected = naiveActivation(activation, naiveBatchNormTraining(RefTensor(shape: shape, floats: x), scale: nil,
                                                                              shift: nil, epsilon: 1e-5))
            assertMatchesReference(y.values, expected, "\(layout) \(activation)")
        }
    }

    private func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { abs($0 - $1) }.max()! / max(b.map(abs).max()!, 1e-20)
    }
}
