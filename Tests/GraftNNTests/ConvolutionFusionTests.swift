@testable import GraftCore
import XCTest
@testable import GraftNN

/// Fused conv -> BatchNorm -> [+ residual] -> activation against the same layers run one by one.
final class ConvolutionFusionTests: XCTestCase {
    /// BatchNorm with statistics and affine parameters far from their initial 0/1.
    private func trainedNorm(_ channels: Int, _ g: inout SeededGenerator) -> BatchNorm2d {
        let norm = BatchNorm2d(features: channels, epsilon: 1e-3)
        norm.weight!.assign((0..<channels).map { _ in Float.random(in: 0.5...1.5, using: &g) })
        norm.bias!.assign((0..<channels).map { _ in Float.random(in: -1...1, using: &g) })
        norm.runningMean.assign((0..<channels).map { _ in Float.random(in: -0.5...0.5, using: &g) })
        norm.runningVar.assign((0..<channels).map { _ in Float.random(in: 0.2...3, using: &g) })
        return norm
    }

    private func randomInput(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -2...2, using: &g) })
    }

    /// max |fused - unfused| / max |unfused|.
    private func relativeDifference(_ fused: [Float], _ unfused: [Float]) -> Float {
        XCTAssertEqual(fused.count, unfused.count)
        return zip(fused, unfused).map { abs($0 - $1) }.max()! / max(unfused.map(abs).max()!, 1e-20)
    }

    /// Runs the chain fused and unfused without gradients and returns max|diff| / max|unfused|.
    private func fusedVersusUnfused(_ conv: Conv2d, _ norm: BatchNorm2d?, _ x: Tensor, residual: Tensor? = nil,
                                    activation: Activation?) -> Float {
        func run(_ fused: Bool) -> [Float] {
            GradMode.withoutGradients {
                conv.forward(x, normalizedBy: norm, adding: residual, activation: activation,
                             context: ForwardContext(training: false, fusion: fused))
            }.values
        }
        return relativeDifference(run(true), run(false))
    }

    func testPointwiseWithResidualMatchesSeparateOps() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2d(inChannels: 24, outChannels: 16, kernelSize: (1, 1), bias: false, generator: &g)
        let norm = trainedNorm(16, &g)
        let x = randomInput([2, 24, 9, 7], &g), residual = randomInput([2, 16, 9, 7], &g)
        // The residual comes in the blocked layout the network's previous op left it in.
        let blockedResidual = GradMode.withoutGradients { conv2d(residual, weight: identity(16)) }
        XCTAssertFalse(blockedResidual.isPlainLayout)
        let fusedBefore = PrimitiveCache.shared.count(of: "conv.fused")
        for activation in [nil, Activation.relu, .relu6] {
            XCTAssertLessThan(fusedVersusUnfused(conv, norm, x, residual: blockedResidual, activation: activation), 1e-5)
        }
        // One fused primitive per epilogue: oneDNN took the residual as a post-op, no fallback.
        // Where inference runs oneDNN's AVX-512 kernels (not on a Zen 4: `InferenceKernels`),
        // oneDNN 2.6 writes 1x1 convolutions channels-last (brgconv) and has only its reference
        // kernel for a channels-last residual post-op, so the chain runs as separate ops.
        let fusesResiduals = Tensor.inferenceChannelBlock == 8
        XCTAssertEqual(PrimitiveCache.shared.count(of: "conv.fused"), fusedBefore + (fusesResiduals ? 3 : 0))
    }

    func testDepthwiseStridedSamePaddingMatchesSeparateOps() {
        var g = SeededGenerator(seed: 2)
        let conv = Conv2d(inChannels: 40, outChannels: 40, kernelSize: (5, 5), stride: (2, 2), padding: .same, groups: 40,
                          bias: false, generator: &g)
        let norm = trainedNorm(40, &g)
        XCTAssertLessThan(fusedVersusUnfused(conv, norm, randomInput([3, 40, 11, 10], &g), activation: .relu6), 1e-5)
    }

    func testDenseConvolutionWithBiasAndNoNormMatchesSeparateOps() {
        var g = SeededGenerator(seed: 3)
        let conv = Conv2d(inChannels: 3, outChannels: 20, kernelSize: (3, 3), padding: .symmetric(height: 1, width: 1),
                          generator: &g)
        XCTAssertLessThan(fusedVersusUnfused(conv, nil, randomInput([2, 3, 8, 8], &g), activation: .relu), 1e-5)
        XCTAssertLessThan(fusedVersusUnfused(conv, trainedNorm(20, &g), randomInput([2, 3, 8, 8], &g), activation: .silu), 1e-5)
    }

    func testPlainLayoutResidualFallsBackToSeparateOpsWithSameResult() {
        var g = SeededGenerator(seed: 4)
        let conv = Conv2d(inChannels: 5, outChannels: 3, kernelSize: (1, 1), bias: false, generator: &g)
        let residual = randomInput([2, 3, 4, 4], &g)
        XCTAssertTrue(residual.isPlainLayout)
        XCTAssertLessThan(fusedVersusUnfused(conv, trainedNorm(3, &g), randomInput([2, 5, 4, 4], &g), residual: residual,
                                             activation: .relu6), 1e-5)
    }

    func testFoldedWeightsFollowChangesToStatisticsAndWeights() {
        var g = SeededGenerator(seed: 5)
        let conv = Conv2d(inChannels: 8, outChannels: 8, kernelSize: (3, 3), padding: .same, bias: false, generator: &g)
        let norm = trainedNorm(8, &g)
        let x = randomInput([1, 8, 6, 6], &g)
        XCTAssertLessThan(fusedVersusUnfused(conv, norm, x, activation: nil), 1e-5)
        norm.runningMean.assign((0..<8).map { Float($0) })
        XCTAssertLessThan(fusedVersusUnfused(conv, norm, x, activation: nil), 1e-5)
        conv.weight.withUnsafeMutableBuffer { w in for i in w.indices { w[i] *= -2 } }
        XCTAssertLessThan(fusedVersusUnfused(conv, norm, x, activation: nil), 1e-5)
    }

    func testLayersThatNeedGradientsOrBatchStatisticsAreNotFused() {
        var g = SeededGenerator(seed: 6)
        let conv = Conv2d(inChannels: 4, outChannels: 8, kernelSize: (1, 1), bias: false, generator: &g)
        let norm = trainedNorm(8, &g)
        let x = randomInput([2, 4, 5, 5], &g)
        AutodiffStats.shared.reset()
        // Trainable weights: the chain is recorded for backward, the convolution on its own and
        // BatchNorm with its activation as one op (Graft's kernel, the input being channel-blocked).
        let y = conv.forward(x, normalizedBy: norm, activation: .relu6, context: ForwardContext(training: false))
        XCTAssertNotNil(y.gradNode)
        XCTAssertEqual(AutodiffStats.shared.recorded, ["conv2d": 1, "batchNorm+relu6": 1])
        // With fusion off, oneDNN's three ops.
        AutodiffStats.shared.reset()
        _ = conv.forward(x, normalizedBy: norm, activation: .relu6, context: ForwardContext(training: false, fusion: false))
        XCTAssertEqual(AutodiffStats.shared.recorded, ["conv2d": 1, "batchNorm": 1, "relu6": 1])
        // Frozen weights but BatchNorm in training mode: batch statistics, running ones updated.
        conv.freeze()
        norm.freeze()
        let before = norm.runningMean.values
        _ = conv.forward(x, normalizedBy: norm, activation: .relu6, context: ForwardContext(training: true))
        XCTAssertNotEqual(norm.runningMean.values, before)
    }

    /// 1x1 -> BatchNorm -> ReLU6 -> depthwise 3x3 -> BatchNorm -> ReLU6 as one primitive, with
    /// PyTorch's symmetric and TensorFlow's SAME padding, strides 1 and 2.
    func testPointwiseThenDepthwiseMatchesSeparateOps() {
        var g = SeededGenerator(seed: 8)
        // New primitives expected: SAME at stride 1 pads as symmetric 1 does, so that one is cached.
        let cases = [(1, Padding.same, 1), (2, .same, 1), (1, .symmetric(height: 1, width: 1), 0), (2, .symmetric(height: 1, width: 1), 1)]
        for (stride, padding, created) in cases {
            let expand = Conv2d(inChannels: 8, outChannels: 24, kernelSize: (1, 1), bias: false, generator: &g)
            let depthwise = Conv2d(inChannels: 24, outChannels: 24, kernelSize: (3, 3), stride: (stride, stride), padding: padding,
                                   groups: 24, bias: false, generator: &g)
            let (norm1, norm2) = (trainedNorm(24, &g), trainedNorm(24, &g))
            let x = randomInput([2, 8, 12, 12], &g)
            func run(_ fused: Bool) -> [Float] {
                GradMode.withoutGradients {
                    expand.forward(x, normalizedBy: norm1, activation: .relu6, thenDepthwise: depthwise, normalizedBy: norm2,
                                   activation: .relu6, context: ForwardContext(training: false, fusion: fused))
                }.values
            }
            let before = PrimitiveCache.shared.count(of: "conv.pw_dw")
            let relative = relativeDifference(run(true), run(false))
            XCTAssertEqual(PrimitiveCache.shared.count(of: "conv.pw_dw"), before + created, "stride \(stride), \(padding)")
            XCTAssertLessThan(relative, 1e-5, "stride \(stride), \(padding)")
        }
    }

    /// In training the chain runs op by op, with the addition and activation overwriting their
    /// input's buffer: gradients must equal those of the separate (gradient-checked) ops exactly.
    func testTrainingChainGivesTheGradientsOfSeparateOps() {
        var g = SeededGenerator(seed: 7)
        let conv = Conv2d(inChannels: 16, outChannels: 16, kernelSize: (3, 3), padding: .same, bias: false, generator: &g)
        let norm = trainedNorm(16, &g)
        let x = randomInput([2, 16, 6, 5], &g)
        x.requiresGrad = true
        let residual = randomInput([2, 16, 6, 5], &g)
        residual.requiresGrad = true
        let upstream = randomInput([2, 16, 6, 5], &g)
        let training = ForwardContext(training: true)
        for activation in [Activation.relu6, .relu, .sigmoid, .silu] {
            func gradients(_ chained: Bool) -> [[Float]] {
                for t in [x, residual] + conv.parameters + norm.parameters { t.zeroGrad() }
                let y = chained
                    ? conv.forward(x, normalizedBy: norm, adding: residual, activation: activation, context: training)
                    : GraftCore.activation(add(norm(conv(x, context: training), context: training), residual), activation)
                mean(y * upstream).backward()
                return ([x, residual] + conv.parameters + norm.parameters).map { $0.grad!.values }
            }
            let (chained, separate) = (gradients(true), gradients(false))
            if activation.rawValue.hasPrefix("relu") {
                // Graft's BatchNorm kernel (with the residual and the activation): rounding differs.
                for (a, b) in zip(chained, separate) { XCTAssertLessThan(relativeDifference(a, b), 1e-5, "\(activation)") }
            } else {
                // The in-place chain of oneDNN ops: the same arithmetic, bit for bit.
                XCTAssertEqual(chained, separate, "\(activation)")
            }
        }
    }

    /// A 1x1 convolution whose weight is the identity matrix: copies its input into a blocked layout.
    private func identity(_ channels: Int) -> Tensor {
        Tensor(shape: [channels, channels, 1, 1], values: (0..<channels * channels).map { $0 / channels == $0 % channels ? 1 : 0 })
    }
}
