@testable import GraftCore
import XCTest

/// The Linear layer on every pixel (ConvNeXt's), against a 1x1 convolution in double: values and
/// the gradients of the input, the weight and the bias by central differences, from each layout a
/// network hands it; and its fused GELU for inference.
final class PixelLinearTests: XCTestCase {
    func testGradientsFromEveryLayout() {
        var g = SeededGenerator(seed: 161)
        let cases: [([Int], Int, Bool, LeafLayout)] = [([2, 5, 3, 4], 7, true, .plain), ([1, 16, 3, 3], 12, false, .blocked(8)),
                                                       ([2, 20, 2, 3], 9, true, .blocked(16)), ([3, 6, 2, 2], 24, true, .channelsLast)]
        for (shape, out, bias, layout) in cases {
            let c = shape[1]
            var inputs = [CheckedInput("x", shape, g.normals(shape.reduce(1, *)), layout: layout),
                          CheckedInput("weight", [out, c], g.normals(out * c, std: 0.4))]
            if bias { inputs.append(CheckedInput("bias", [out], g.normals(out))) }
            let y = checkGradients(inputs, generator: &g, "pixel linear \(shape) -> \(out) bias \(bias) [\(layout)]") { t in
                pixelLinear(t[0], weight: t[1], bias: bias ? t[2] : nil)
            } reference: { r in
                naiveConv2d(r[0], weight: RefTensor(shape: [out, c, 1, 1], data: r[1].data), bias: bias ? r[2] : nil,
                            stride: (1, 1), pad: PadAmounts(top: 0, bottom: 0, left: 0, right: 0), dilation: (1, 1), groups: 1)
            }
            XCTAssertEqual(y.layoutDescription, "channels-last", "pixel linear \(shape): the output left the pixel rows")
        }
    }

    func testInferenceWithGELUMatchesSeparateOps() {
        var g = SeededGenerator(seed: 162)
        let x = makeTensor(shape: [2, 16, 5, 5], values: g.normals(800), layout: .blocked(8))
        let w = Tensor(shape: [32, 16], values: g.normals(512, std: 0.3)), b = Tensor(shape: [32], values: g.normals(32))
        let fused = pixelLinearInference(x, weight: w, bias: b, activation: .gelu)
        let separate = gelu(pixelLinear(x, weight: w, bias: b))
        XCTAssertEqual(fused.shape, [2, 32, 5, 5])
        assertMatchesReference(fused.values, RefTensor(shape: [2, 32, 5, 5], floats: separate.values), tolerance: 1e-5,
                               "fused GELU against GELU after the Linear")
        assertMatchesReference(pixelLinearInference(x, weight: w, bias: nil).values,
                               RefTensor(shape: [2, 32, 5, 5], floats: pixelLinear(x, weight: w).values), tolerance: 1e-6,
                               "inference against the recorded op")
    }
}
