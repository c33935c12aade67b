import CDNNL
import CGraftKernels
import XCTest
@testable import GraftCore

/// Graft's depthwise backward-weights kernel against oneDNN's, when it is used, and the gradient
/// it gives conv2d against finite differences of a naive convolution.
final class DepthwiseKernelTests: XCTestCase {
    func testMatchesOneDNNAcrossGeometries() {
        let cases: [DepthwiseCase] = [
            DepthwiseCase(channels: 24, size: (14, 14), kernel: (3, 3), stride: (1, 1), padding: .same, block: 8),
            DepthwiseCase(channels: 40, size: (14, 14), kernel: (3, 3), stride: (2, 2), padding: .same, block: 16),
            DepthwiseCase(channels: 40, size: (12, 12), kernel: (5, 5), stride: (1, 1), padding: .same, block: 8),
            DepthwiseCase(channels: 24, size: (14, 14), kernel: (5, 5), stride: (2, 2), padding: .same, block: 16,
                          bias: false),
            DepthwiseCase(channels: 24, size: (13, 11), kernel: (3, 3), stride: (1, 1), padding: .same, block: 16,
                          dilation: (2, 2)),
            DepthwiseCase(channels: 40, size: (15, 16), kernel: (5, 5), stride: (2, 2), padding: .same, block: 8,
                          dilation: (2, 2), bias: false),
            DepthwiseCase(channels: 24, size: (10, 9), kernel: (3, 5), stride: (1, 2),
                          padding: .explicit(top: 2, bottom: 0, left: 1, right: 3), block: 16),
            DepthwiseCase(channels: 40, size: (9, 9), kernel: (7, 7), stride: (1, 1), padding: .valid, block: 8,
                          bias: false),
        ]
        for (index, testCase) in cases.enumerated() {
            let (src, dy) = testCase.randomInputs(seed: UInt64(index))
            let expected = oneDNNBackwardWeights(testCase.geometry, src: src, dy: dy)
            for isa in supportedISAs {
                let context = "\(testCase) on ISA \(isa.rawValue)"
                guard let (dw, db) = DepthwiseBackwardWeights.compute(testCase.geometry, src: src, dy: dy, isa: isa) else {
                    return XCTFail("kernel declined \(context)")
                }
                assertClose(plainValues(dw), expected.weights, context + ", weights")
                XCTAssertEqual(db == nil, expected.bias == nil, context)
                if let db, let expectedBias = expected.bias { assertClose(plainValues(db), expectedBias, context + ", bias") }
            }
        }
    }

    /// The output gradient usually arrives in a layout of its own; the kernel reorders it.
    func testAcceptsOutputGradientInAnotherLayout() {
        let testCase = DepthwiseCase(channels: 24, size: (12, 12), kernel: (5, 5), stride: (2, 2), padding: .same,
                                     block: 16)
        let (src, dy) = testCase.randomInputs(seed: 42)
        let expected = oneDNNBackwardWeights(testCase.geometry, src: src, dy: dy)
        for otherLayout in [Layout.plain(testCase.geometry.dstDims),
                            Layout(tagged: testCase.geometry.dstDims, tag: dnnl_aBcd8b)] {
            let (dw, db) = DepthwiseBackwardWeights.compute(testCase.geometry, src: src, dy: dy.reordered(to: otherLayout))!
            assertClose(plainValues(dw), expected.weights, "dy reordered")
            assertClose(plainValues(db!), expected.bias!, "dy reordered, bias")
        }
    }

    func testSameBitsEveryRun() {
        let testCase = DepthwiseCase(channels: 40, size: (14, 14), kernel: (5, 5), stride: (1, 1), padding: .same,
                                     block: 8, batch: 6)
        let (src, dy) = testCase.randomInputs(seed: 7)
        let (first, firstBias) = DepthwiseBackwardWeights.compute(testCase.geometry, src: src, dy: dy)!
        for _ in 0..<3 {
            let (again, againBias) = DepthwiseBackwardWeights.compute(testCase.geometry, src: src, dy: dy)!
            XCTAssertEqual(plainValues(again).map(\.bitPattern), plainValues(first).map(\.bitPattern))
            XCTAssertEqual(plainValues(againBias!).map(\.bitPattern), plainValues(firstBias!).map(\.bitPattern))
        }
    }

    func testRoutesOnlyDepthwiseShapesOneDNNIsSlowAt() {
        for kernel in [3, 5] {
            let testCase = DepthwiseCase(channels: 24, size: (8, 8), kernel: (kernel, kernel), stride: (1, 1),
                                         padding: .same, block: 8)
            let (src, dy) = testCase.randomInputs(seed: UInt64(kernel))
            let used = DepthwiseBackwardWeights.run(testCase.geometry, src: src, dy: dy) != nil
            XCTAssertEqual(used, !DepthwiseBackwardWeights.oneDNNHasFastKernel(testCase.geometry), "\(testCase)")
            let plainSrc = src.reordered(to: .plain(testCase.geometry.srcDims))
            XCTAssertNil(DepthwiseBackwardWeights.compute(testCase.geometry, src: plainSrc, dy: dy), "plain input")
            XCTAssertNil(DepthwiseBackwardWeights.run(testCase.geometry, src: plainSrc, dy: dy), "plain input")
        }

        let grouped = ConvGeometry(batch: 2, inChannels: 24, height: 8, width: 8, outChannels: 24, kernelH: 5,
                                   kernelW: 5, groups: 12, stride: (1, 1), dilation: (1, 1), pad: (2, 2, 2, 2),
                                   hasBias: false)
        let (src, dy) = DepthwiseCase(channels: 24, size: (8, 8), kernel: (5, 5), stride: (1, 1), padding: .same,
                                      block: 8).randomInputs(seed: 9)
        XCTAssertNil(DepthwiseBackwardWeights.compute(grouped, src: src, dy: dy), "two channels per group")
        XCTAssertNil(DepthwiseBackwardWeights.run(grouped, src: src, dy: dy), "two channels per group")
    }

    /// Through conv2d and backward(), the path training takes, against a double-precision finite
    /// difference of a naive convolution.
    func testConv2dWeightGradientMatchesFiniteDifferences() {
        let shapes: [(kernel: Int, stride: Int, dilation: Int)] = [(5, 1, 1), (5, 2, 1), (3, 2, 2), (3, 1, 1)]
        var ownKernelUsed = false
        for (index, shape) in shapes.enumerated() {
            var generator = SeededGenerator(seed: 100 + UInt64(index))
            let (n, c, h, w) = (1, 8, 7, 6)
            let k = shape.kernel
            let x = Tensor.normal([n, c, h, w], generator: &generator)
            let weight = Tensor.normal([c, 1, k, k], std: 0.5, generator: &generator, requiresGrad: true)
            let bias = Tensor.normal([c], generator: &generator, requiresGrad: true)
            let y = conv2d(x, weight: weight, bias: bias, stride: (shape.stride, shape.stride), padding: .same,
                           dilation: (shape.dilation, shape.dilation), groups: c)
            let probe = Tensor.normal(y.shape, generator: &generator)

            let naive = NaiveDepthwise(input: x.values.map(Double.init), shape: (n, c, h, w), kernel: k,
                                       stride: shape.stride, dilation: shape.dilation)
            XCTAssertEqual(naive.outputShape, y.shape)
            let geometry = ConvGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: c, kernelH: k,
                                        kernelW: k, groups: c, stride: (shape.stride, shape.stride),
                                        dilation: (shape.dilation, shape.dilation), pad: naive.padding,
                                        hasBias: true)
            let blocked = ConvPrimitives.forward(geometry, training: true).layout(of: DNNL_ARG_SRC).channelBlock != nil
            ownKernelUsed = ownKernelUsed || (blocked && !DepthwiseBackwardWeights.oneDNNHasFastKernel(geometry))

            // With the probe as output gradient, the gradient is that of the loss sum(probe * y).
            y.backward(gradient: probe)
            let loss = { (weights: [Double], biases: [Double]) -> Double in
                zip(naive.output(weights: weights, biases: biases), probe.values).reduce(0) { $0 + $1.0 * Double($1.1) }
            }
            let context = "kernel \(k), stride \(shape.stride), dilation \(shape.dilation)"
            assertClose(weight.grad!.values, finiteDifferences(of: { loss($0, bias.values.map(Double.init)) },
                                                               at: weight.values.map(Double.init)),
                        context + ", weights")
            assertClose(bias.grad!.values, finiteDifferences(of: { loss(weight.values.map(Double.init), $0) },
                                                             at: bias.values.map(Double.init)),
                        context + ", bias")
        }
        XCTAssertTrue(ownKernelUsed, "oneDNN took every shape, so this did not test Graft's kernel")
    }
}

/// The ISA variants of the kernel this CPU can run.
private var supportedISAs: [graft_isa] {
    [GRAFT_ISA_BASELINE, GRAFT_ISA_AVX2, GRAFT_ISA_AVX512].filter {
        $0.rawValue <= DepthwiseBackwardWeights.bestISA.rawValue
    }
}

private func plainValues(_ storage: Storage) -> [Float] {
    Tensor(storage: storage.reordered(to: .plain(storage.layout.dims))).values
}

/// Elementwise |actual - expected| <= 1e-4 relative, measured against the larger of the element
/// and the mean magnitude (sums that cancel to near zero have absolute, not relative, rounding).
private func assertClose(_ actual: [Float], _ expected: [Float], _ context: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, context, file: file, line: line)
    let meanMagnitude = expected.reduce(0) { $0 + abs($1) } / Float(max(expected.count, 1))
    for (i, (a, e)) in zip(actual, expected).enumerated() where abs(a - e) > 1e-4 * max(abs(e), meanMagnitude) {
        return XCTFail("\(context): element \(i) is \(a), expected \(e)", file: file, line: line)
    }
}

private func assertClose(_ actual: [Float], _ expected: [Double], _ context: String,
                         file: StaticString = #filePath, line: UInt = #line) {
    assertClose(actual, expected.map(Float.init), context, file: file, line: line)
}

/// Central differences of `f`, one coordinate at a time.
private func finiteDifferences(of f: ([Double]) -> Double, at point: [Double], step: Double = 1e-3) -> [Double] {
    point.indices.map { i in
        var up = point, down = point
        up[i] += step
        down[i] -= step
        return (f(up) - f(down)) / (2 * step)
    }
}

/// The weight and bias gradients as oneDNN's backward-weights primitive computes them, the way
/// conv2d does when Graft's kernel declines.
private func oneDNNBackwardWeights(_ g: ConvGeometry, src: Storage, dy: Storage) -> (weights: [Float], bias: [Float]?) {
    let bwd = ConvPrimitives.backwardWeights(g)
    let dw = bwd.output(DNNL_ARG_DIFF_WEIGHTS)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: src.reordered(to: bwd.layout(of: DNNL_ARG_SRC)),
                                  DNNL_ARG_DIFF_DST: dy.reordered(to: bwd.layout(of: DNNL_ARG_DIFF_DST)),
                                  DNNL_ARG_DIFF_WEIGHTS: dw]
    let db = g.hasBias ? bwd.output(DNNL_ARG_DIFF_BIAS) : nil
    if let db { args[DNNL_ARG_DIFF_BIAS] = db }
    bwd.execute(args)
    return (plainValues(dw.reordered(to: .plain(g.weightDims))), db.map(plainValues))
}

/// A depthwise convolution with random input and output gradient in a channel-blocked layout.
private struct DepthwiseCase: CustomStringConvertible {
    let geometry: ConvGeometry
    let block: Int

    init(channels: Int, size: (Int, Int), kernel: (Int, Int), stride: (Int, Int), padding: Padding, block: Int,
         dilation: (Int, Int) = (1, 1), bias: Bool = true, batch: Int = 3) {
        let pad = padding.amounts(height: size.0, width: size.1, kernel: kernel, stride: stride, dilation: dilation)
        geometry = ConvGeometry(batch: batch, inChannels: channels, height: size.0, width: size.1,
                                outChannels: channels, kernelH: kernel.0, kernelW: kernel.1, groups: channels,
                                stride: stride, dilation: dilation, pad: pad, hasBias: bias)
        self.block = block
    }

    func randomInputs(seed: UInt64) -> (src: Storage, dy: Storage) {
        var generator = SeededGenerator(seed: seed)
        let tag = block == 16 ? dnnl_aBcd16b : dnnl_aBcd8b
        let src = Tensor.normal(geometry.srcDims, generator: &generator).storage
        let dy = Tensor.normal(geometry.dstDims, generator: &generator).storage
        return (src.reordered(to: Layout(tagged: geometry.srcDims, tag: tag)),
                dy.reordered(to: Layout(tagged: geometry.dstDims, tag: tag)))
    }

    var description: String {
        let g = geometry
        return "C=\(g.inChannels) \(g.height)x\(g.width) kernel \(g.kernelH)x\(g.kernelW) stride \(g.stride) "
            + "dilation \(g.dilation) pad \(g.pad) bias \(g.hasBias) block \(block)"
    }
}

/// Depthwise convolution with TensorFlow "SAME" padding, written out loop by loop in double.
private struct NaiveDepthwise {
    let input: [Double]
    let shape: (n: Int, c: Int, h: Int, w: Int)
    let kernel, stride, dilation: Int

    var padding: (top: Int, bottom: Int, left: Int, right: Int) {
        Padding.same.amounts(height: shape.h, width: shape.w, kernel: (kernel, kernel), stride: (stride, stride),
                             dilation: (dilation, dilation))
    }
    var outHeight: Int { (shape.h + stride - 1) / stride }
    var outWidth: Int { (shape.w + stride - 1) / stride }
    var outputShape: [Int] { [shape.n, shape.c, outHeight, outWidth] }

    /// Output in (N, C, H, W) order; `weights` is (C, 1, k, k).
    func output(weights: [Double], biases: [Double]) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(outputShape.reduce(1, *))
        for n in 0..<shape.n {
            for c in 0..<shape.c {
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        var sum = biases[c]
                        for i in 0..<kernel {
                            for j in 0..<kernel {
                                let ih = oh * stride - padding.top + i * dilation
                                let iw = ow * stride - padding.left + j * dilation
                                guard (0..<shape.h).contains(ih), (0..<shape.w).contains(iw) else { continue }
                                sum += weights[(c * kernel + i) * kernel + j]
                                    * input[((n * shape.c + c) * shape.h + ih) * shape.w + iw]
                            }
                        }
                        out.append(sum)
                    }
                }
            }
        }
        return out
    }
}
