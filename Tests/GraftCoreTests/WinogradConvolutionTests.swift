@testable import GraftCore
import XCTest

/// Winograd F(4x4, 3x3) inference convolutions (see `WinogradConvolution`) against a direct
/// convolution in double precision: within 3e-5 of the largest output, with bias, residual and
/// activation, on maps that are not whole tiles of 4x4 (7x7, 7x9, 13x10).
final class WinogradConvolutionTests: XCTestCase {
    private func skipUnlessAvailable() throws {
        let g = geometry(batch: 1, inChannels: 64, outChannels: 64, height: 8, width: 8)
        try XCTSkipIf(WinogradConvolution.problem(g, activation: nil) == nil,
                      "the Winograd kernel needs AVX2 without AVX-512 (this CPU: \(Engine.detectedISA))")
    }

    private func geometry(batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int, stride: Int = 1,
                          kernel: Int = 3, groups: Int = 1) -> ConvGeometry {
        let pad = kernel / 2
        return ConvGeometry(batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                            kernelH: kernel, kernelW: kernel, groups: groups, stride: (stride, stride), dilation: (1, 1),
                            pad: (top: pad, bottom: pad, left: pad, right: pad), hasBias: true)
    }

    func testMatchesDirectConvolutionInDoublePrecision() throws {
        try skipUnlessAvailable()
        var g = SeededGenerator(seed: 404)
        // (batch, in, out, height, width, activation, residual): partial tiles, unequal channel
        // counts, every epilogue.
        let cases: [(Int, Int, Int, Int, Int, Activation?, Bool)] = [
            (1, 64, 64, 7, 7, .relu, true), (2, 64, 128, 7, 9, nil, false), (1, 128, 64, 12, 12, .relu6, false),
            (3, 72, 80, 9, 7, .relu, false), (1, 64, 64, 13, 10, nil, true),
        ]
        for (n, c, o, h, w, activation, withResidual) in cases {
            let label = "\(n)x\(c)x\(h)x\(w) -> \(o), \(activation.map { "\($0)" } ?? "no activation")\(withResidual ? ", residual" : "")"
            // ReLU'd inputs and He-scaled weights, as a ResNet layer sees them.
            let x = makeTensor(shape: [n, c, h, w], values: g.normals(n * c * h * w).map { max($0, 0) }, layout: .blocked(8))
            let weight = Tensor(shape: [o, c, 3, 3], values: g.normals(o * c * 9, std: (2 / Float(9 * c)).squareRoot()))
            let bias = Tensor(shape: [o], values: g.normals(o, std: 0.1))
            let residual = withResidual ? makeTensor(shape: [n, o, h, w], values: g.normals(n * o * h * w), layout: .blocked(8)) : nil
            let padding = Padding.symmetric(height: 1, width: 1)
            XCTAssertNotNil(WinogradConvolution.problem(ConvGeometry(x, weight: weight, bias: bias, stride: (1, 1), padding: padding,
                                                                     dilation: (1, 1), groups: 1), activation: activation), label)
            let y = conv2dInference(x, weight: weight, bias: bias, padding: padding, adding: residual, activation: activation,
                                    winograd: true)
            var reference = naiveConv2d(RefTensor(shape: x.shape, floats: x.values), weight: RefTensor(shape: weight.shape, floats: weight.values),
                                        bias: RefTensor(shape: bias.shape, floats: bias.values), stride: (1, 1),
                                        pad: PadAmounts(top: 1, bottom: 1, left: 1, right: 1), dilation: (1, 1), groups: 1)
            if let residual { reference.data = zip(reference.data, residual.values).map { $0 + Double($1) } }
            if let activation { reference = naiveActivation(activation, reference) }
            assertMatchesReference(y.values, reference, tolerance: 3e-5, label)
            let direct = conv2dInference(x, weight: weight, bias: bias, padding: padding, adding: residual, activation: activation,
                                         winograd: false)
            XCTAssertNotEqual(y.values, direct.values, "\(label): the Winograd kernel did not run")
        }
    }

    /// The transformed weights are kept per tensor and version: a weight changed in place is
    /// transformed again, and a forward after that uses the new values.
    func testAWeightChangedInPlaceIsTransformedAgain() throws {
        try skipUnlessAvailable()
        var g = SeededGenerator(seed: 405)
        let x = makeTensor(shape: [1, 64, 8, 8], values: g.normals(64 * 64), layout: .blocked(8))
        let weight = Tensor(shape: [64, 64, 3, 3], values: g.normals(64 * 64 * 9, std: 0.06))
        let padding = Padding.symmetric(height: 1, width: 1)
        let first = conv2dInference(x, weight: weight, bias: nil, padding: padding, winograd: true).values
        XCTAssertEqual(conv2dInference(x, weight: weight, bias: nil, padding: padding, winograd: true).values, first)
        weight.assign(weight.values.map { -$0 })
        let negated = conv2dInference(x, weight: weight, bias: nil, padding: padding, winograd: true).values
        XCTAssertEqual(negated, first.map { -$0 }, "the new weights' result (the transform is linear, so exactly the negation)")
    }

    /// Strided, 1x1, grouped and narrow convolutions, and activations other than a clip, stay direct.
    func testOnlyStrideOne3x3ConvolutionsWithWholeChannelBlocksApply() throws {
        try skipUnlessAvailable()
        XCTAssertNotNil(WinogradConvolution.problem(geometry(batch: 16, inChannels: 512, outChannels: 512, height: 7, width: 7), activation: .relu))
        XCTAssertNil(WinogradConvolution.problem(geometry(batch: 1, inChannels: 64, outChannels: 64, height: 56, width: 56, stride: 2), activation: nil))
        XCTAssertNil(WinogradConvolution.problem(geometry(batch: 1, inChannels: 64, outChannels: 64, height: 56, width: 56, kernel: 1), activation: nil))
        XCTAssertNil(WinogradConvolution.problem(geometry(batch: 1, inChannels: 64, outChannels: 64, height: 8, width: 8, groups: 64), activation: nil))
        XCTAssertNil(WinogradConvolution.problem(geometry(batch: 1, inChannels: 32, outChannels: 32, height: 8, width: 8), activation: nil))
        XCTAssertNil(WinogradConvolution.problem(geometry(batch: 1, inChannels: 68, outChannels: 64, height: 8, width: 8), activation: nil))
        XCTAssertNil(WinogradConvolution.problem(geometry(batch: 1, inChannels: 64, outChannels: 64, height: 8, width: 8), activation: .silu))
    }
}
