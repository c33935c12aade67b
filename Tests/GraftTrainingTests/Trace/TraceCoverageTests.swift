import Foundation
import GraftCore
import GraftNN
import XCTest

/// Ops the backbones do not use, traced and replayed one graph at a time; and the capture's scope.
final class TraceCoverageTests: XCTestCase {
    private func random(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
        Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -2...2, using: &g) })
    }

    /// Captures `body` on `inputs`, replays it and compares with what it returned.
    @discardableResult
    private func replay(_ inputs: [Tensor], _ body: () -> Tensor, file: StaticString = #filePath, line: UInt = #line)
        -> InferenceTrace {
        let (output, trace) = InferenceTrace.capture(inputs: inputs) { GradMode.withoutGradients(body) }
        var interpreter = TraceInterpreter(trace)
        let replayed = interpreter.run(inputs.map(\.values))
        let actual = output.values.map(Double.init)
        XCTAssertEqual(replayed.shape, output.shape, file: file, line: line)
        let difference = zip(replayed.data, actual).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(difference / max(actual.map(abs).max()!, 1e-30), 1e-5, file: file, line: line)
        return trace
    }

    func testPoolingBroadcastConcatMatmulAndMean() {
        var g = SeededGenerator(seed: 1)
        let x = random([2, 3, 7, 6], &g), gate = random([2, 3, 1, 1], &g), w = random([8, 9, 3, 3], &g), m = random([8, 15], &g)
        let trace = replay([x]) {
            let a = avgPool2d(x, kernel: (3, 3), stride: (2, 2), padding: .symmetric(height: 1, width: 1), countPadding: false)
            let b = avgPool2d(x, kernel: (3, 3), stride: (2, 2), padding: .explicit(top: 0, bottom: 2, left: 1, right: 0))
            let c = maxPool2d(multiply(x, gate), kernel: (2, 3), stride: (2, 2), padding: .same)
            let joined = concatChannels([a, b, c])
            let features = flatten(globalAvgPool2d(conv2d(joined, weight: w, padding: .same, dilation: (2, 1))))
            let product = matmul(features, m)
            return add(product, reshape(mean(product), [1, 1]))
        }
        let pools = trace.nodes.compactMap { if case .pooling(let p) = $0.op { return p } else { return nil } }
        XCTAssertEqual(pools.map(\.kind), [.average(countsPadding: false), .average(countsPadding: true), .max])
        XCTAssertEqual(pools[1].padding, PaddingAmounts(top: 0, bottom: 2, left: 1, right: 0))
        XCTAssertEqual(trace.convolutions[0].attributes.dilation, SpatialSize(2, 1))
        XCTAssertTrue(trace.nodes.contains { $0.op == .mean })
        XCTAssertTrue(trace.nodes.contains { $0.op == .matmul })
    }

    /// ConvNeXt's ops: LayerNorm over the channels, a Linear's (O, I) weight as a 1x1 kernel with
    /// GELU (separate and as a post-op), the (C, 1, 1) layer scale, which broadcasts from the right.
    func testChannelLayerNormGELUAndLayerScale() {
        var g = SeededGenerator(seed: 3)
        let x = random([2, 8, 3, 4], &g), weight = random([8], &g), bias = random([8], &g)
        let expand = random([16, 8], &g), project = random([8, 16], &g), scale = random([8, 1, 1], &g)
        let trace = replay([x]) {
            let y = channelLayerNorm(x, weight: weight, bias: bias, epsilon: 1e-6)
            let fused = conv2dInference(y, weight: expand, bias: nil, activation: .gelu)
            let separate = gelu(conv2d(y, weight: expand))
            return scaleChannels(conv2d(fused + separate, weight: project), by: scale) + y
        }
        XCTAssertTrue(trace.nodes.contains { $0.op == .channelLayerNorm(epsilon: 1e-6) })
        XCTAssertTrue(trace.nodes.contains { $0.op == .activation(.gelu) })
        XCTAssertTrue(trace.convolutions.contains { $0.attributes.kernel == SpatialSize(1, 1) })
    }

    /// BatchNorm on its own: oneDNN's on a plain input, Graft's kernel with a residual and an
    /// activation on a blocked one.
    func testUnfoldedBatchNormWithAndWithoutPostOps() {
        var g = SeededGenerator(seed: 2)
        let norm = BatchNorm2d(features: 16, epsilon: 1e-3)
        norm.weight!.assign((0..<16).map { _ in Float.random(in: 0.5...1.5, using: &g) })
        norm.runningMean.assign((0..<16).map { _ in Float.random(in: -0.5...0.5, using: &g) })
        norm.runningVar.assign((0..<16).map { _ in Float.random(in: 0.5...2, using: &g) })
        let x = random([2, 16, 5, 4], &g), residual = random([2, 16, 5, 4], &g)
        let context = ForwardContext(training: false)
        // The same values channel-blocked, as a convolution leaves them on AVX2, where Graft's
        // kernel runs (on AVX-512, oneDNN 2.6's convolutions leave theirs channels-last).
        let blocked = x.blocked()
        XCTAssertFalse(blocked.isPlainLayout)
        let trace = replay([x, residual, blocked]) {
            norm.forward(blocked + norm(x, context: context), adding: residual, activation: .relu6, context: context)
        }
        let norms = trace.nodes.compactMap { if case let .batchNorm(n, postOps) = $0.op { return (n, postOps) } else { return nil } }
        XCTAssertEqual(norms.count, 2)
        XCTAssertEqual(norms[0].1, [])
        XCTAssertEqual(norms[1].1, [.add(trace.inputs[1]), .activation(.relu6)])
        XCTAssertEqual(norms[1].0.epsilon, 1e-3)
        XCTAssertFalse(norms[1].0.usesBatchStatistics)
    }

    /// A capture sees the ops of its own thread only, while another thread runs the same model.
    func testCaptureIsScopedToTheCapturingThread() {
        var g = SeededGenerator(seed: 3)
        let model = Sequential([Conv2d(inChannels: 3, outChannels: 8, kernelSize: (3, 3), generator: &g), ActivationLayer(.relu),
                                GlobalAvgPool2d(), Linear(inFeatures: 8, outFeatures: 2, generator: &g)])
        let x = random([1, 3, 8, 8], &g), other = random([1, 3, 8, 8], &g)
        let alone = model.traceInference(x).trace.nodes.count
        XCTAssertEqual(alone, 4)
        let running = Locked(true)
        let background = Thread {
            while running.withLock({ $0 }) { _ = GradMode.withoutGradients { model(other, context: .inference) } }
        }
        background.start()
        for _ in 0..<20 {
            let trace = model.traceInference(x).trace
            XCTAssertEqual(trace.nodes.count, alone)
            XCTAssertFalse(InferenceTrace.isCapturing)
        }
        running.withLock { $0 = false }
    }
}
