import GraftCore
import XCTest

/// One convolution configuration under test.
struct ConvCase: CustomStringConvertible {
    var batch = 2
    var inChannels: Int
    var height: Int
    var width: Int
    var outChannels: Int
    var kernel: (Int, Int) = (3, 3)
    var stride: (Int, Int) = (1, 1)
    var padding: Padding = .valid
    var dilation: (Int, Int) = (1, 1)
    var groups = 1
    var bias = true
    var layout: LeafLayout = .plain

    var inputShape: [Int] { [batch, inChannels, height, width] }
    var weightShape: [Int] { [outChannels, inChannels / groups, kernel.0, kernel.1] }
    var pad: PadAmounts {
        referencePadAmounts(padding, height: height, width: width, kernel: kernel, stride: stride, dilation: dilation)
    }

    var description: String {
        "conv \(inputShape) [\(layout)] -> \(outChannels) k\(kernel) s\(stride) d\(dilation) g\(groups) \(padding)\(bias ? " +bias" : "")"
    }

    func run(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
        conv2d(x, weight: w, bias: b, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    func reference(_ x: RefTensor, _ w: RefTensor, _ b: RefTensor?) -> RefTensor {
        naiveConv2d(x, weight: w, bias: b, stride: stride, pad: pad, dilation: dilation, groups: groups)
    }
}

final class ConvolutionTests: XCTestCase {
    /// Small shapes with odd sizes and channel counts that are not multiples of 8 or 16.
    static let smallCases: [ConvCase] = [
        ConvCase(inChannels: 3, height: 7, width: 5, outChannels: 5),
        ConvCase(inChannels: 5, height: 7, width: 5, outChannels: 12, stride: (2, 2), padding: .symmetric(height: 1, width: 1), bias: false),
        ConvCase(inChannels: 3, height: 7, width: 7, outChannels: 5, padding: .symmetric(height: 2, width: 2), dilation: (2, 2)),
        ConvCase(inChannels: 5, height: 6, width: 5, outChannels: 3, kernel: (3, 2),
                 padding: .explicit(top: 1, bottom: 0, left: 2, right: 1)),
        ConvCase(inChannels: 5, height: 7, width: 5, outChannels: 20, stride: (2, 2), padding: .same),
        ConvCase(batch: 1, inChannels: 3, height: 6, width: 8, outChannels: 5, stride: (2, 2), padding: .same, bias: false),
        ConvCase(batch: 1, inChannels: 3, height: 7, width: 6, outChannels: 4, kernel: (3, 3), padding: .same, dilation: (2, 2)),
        ConvCase(inChannels: 5, height: 5, width: 7, outChannels: 3, kernel: (1, 1), stride: (2, 2), bias: false),
        // Depthwise.
        ConvCase(inChannels: 12, height: 7, width: 5, outChannels: 12, stride: (2, 2), padding: .same, groups: 12),
        ConvCase(inChannels: 5, height: 7, width: 7, outChannels: 5, padding: .symmetric(height: 2, width: 2),
                 dilation: (2, 2), groups: 5, bias: false),
        ConvCase(batch: 1, inChannels: 3, height: 6, width: 5, outChannels: 3, kernel: (5, 5), padding: .same, groups: 3),
        // Grouped.
        ConvCase(inChannels: 12, height: 5, width: 5, outChannels: 20, padding: .symmetric(height: 1, width: 1), groups: 2),
        ConvCase(inChannels: 6, height: 7, width: 5, outChannels: 4, stride: (2, 1), groups: 2, bias: false),
    ]

    /// Channel counts of 16 and 32, so that blocked layouts and their kernels are exercised.
    static let blockedCases: [ConvCase] = [
        ConvCase(batch: 1, inChannels: 16, height: 4, width: 4, outChannels: 32, padding: .symmetric(height: 1, width: 1)),
        ConvCase(inChannels: 32, height: 5, width: 5, outChannels: 16, kernel: (1, 1), stride: (2, 2), bias: false, layout: .blocked(8)),
        ConvCase(inChannels: 16, height: 5, width: 3, outChannels: 16, kernel: (1, 1), layout: .blocked(16)),
        ConvCase(inChannels: 32, height: 6, width: 6, outChannels: 32, padding: .same, groups: 32, layout: .blocked(8)),
        ConvCase(inChannels: 16, height: 7, width: 5, outChannels: 16, stride: (2, 2), padding: .same, groups: 16, layout: .blocked(16)),
        ConvCase(batch: 1, inChannels: 16, height: 5, width: 5, outChannels: 12, padding: .same, dilation: (2, 2), layout: .blocked(8)),
    ]

    func testGradientsSmallShapes() {
        var g = SeededGenerator(seed: 11)
        for c in Self.smallCases { check(c, &g) }
    }

    func testGradientsBlockedLayouts() {
        var g = SeededGenerator(seed: 12)
        for c in Self.blockedCases { check(c, &g) }
    }

    /// Some operands frozen: the input; the weight and bias; the input and weight.
    func testGradientsOfOneOperand() {
        var g = SeededGenerator(seed: 13)
        let c = ConvCase(inChannels: 5, height: 7, width: 5, outChannels: 12, stride: (2, 2), padding: .same)
        let x = g.normals(c.inputShape.reduce(1, *)), w = g.normals(c.weightShape.reduce(1, *), std: 0.3), b = g.normals(12)
        let xConst = Tensor(shape: c.inputShape, values: x), wConst = Tensor(shape: c.weightShape, values: w)
        let bConst = Tensor(shape: [12], values: b)
        checkGradients([CheckedInput("weight", c.weightShape, w), CheckedInput("bias", [12], b)], generator: &g,
                       "frozen input \(c)") { t in
            c.run(xConst, t[0], t[1])
        } reference: { r in
            c.reference(RefTensor(shape: c.inputShape, floats: x), r[0], r[1])
        }
        checkGradients([CheckedInput("x", c.inputShape, x)], generator: &g, "frozen weights \(c)") { t in
            c.run(t[0], wConst, bConst)
        } reference: { r in
            c.reference(r[0], RefTensor(shape: c.weightShape, floats: w), RefTensor(shape: [12], floats: b))
        }
        checkGradients([CheckedInput("bias", [12], b)], generator: &g, "only the bias trained \(c)") { t in
            c.run(xConst, wConst, t[0])
        } reference: { r in
            c.reference(RefTensor(shape: c.inputShape, floats: x), RefTensor(shape: c.weightShape, floats: w), r[0])
        }
    }

    /// Forward only (the inference primitive), on more shapes than the gradient checks afford.
    func testForwardInference() {
        var g = SeededGenerator(seed: 14)
        var cases = Self.smallCases + Self.blockedCases
        cases.append(ConvCase(inChannels: 32, height: 9, width: 11, outChannels: 32, stride: (2, 2), padding: .same, layout: .blocked(8)))
        cases.append(ConvCase(inChannels: 20, height: 13, width: 7, outChannels: 16, kernel: (5, 3), padding: .symmetric(height: 2, width: 1), dilation: (1, 2)))
        for c in cases {
            let x = g.normals(c.inputShape.reduce(1, *)), w = g.normals(c.weightShape.reduce(1, *), std: 0.3)
            let b = c.bias ? g.normals(c.outChannels) : nil
            let y = GradMode.withoutGradients {
                c.run(makeTensor(shape: c.inputShape, values: x, layout: c.layout),
                      Tensor(shape: c.weightShape, values: w, requiresGrad: true),
                      b.map { Tensor(shape: [c.outChannels], values: $0) })
            }
            XCTAssertFalse(y.requiresGrad, "\(c): recorded under withoutGradients")
            let expected = c.reference(RefTensor(shape: c.inputShape, floats: x), RefTensor(shape: c.weightShape, floats: w),
                                       b.map { RefTensor(shape: [c.outChannels], floats: $0) })
            XCTAssertEqual(y.shape, expected.shape, "\(c)")
            if y.shape == expected.shape { assertMatchesReference(y.values, expected, "\(c)") }
        }
    }

    /// An optimizer updates weights in place: the cached copy in the convolution's layout must follow.
    func testWeightUpdatedInPlace() {
        var g = SeededGenerator(seed: 15)
        for c in [ConvCase(inChannels: 16, height: 5, width: 5, outChannels: 32, padding: .same, bias: false),
                  ConvCase(inChannels: 12, height: 5, width: 5, outChannels: 20, groups: 2, bias: false)] {
            let x = makeTensor(shape: c.inputShape, values: g.normals(c.inputShape.reduce(1, *)))
            let w = Tensor(shape: c.weightShape, values: g.normals(c.weightShape.reduce(1, *), std: 0.3), requiresGrad: true)
            _ = c.run(x, w, nil)
            let updated = g.normals(w.count, std: 0.3)
            w.withUnsafeMutableBuffer { buffer in for i in buffer.indices { buffer[i] = updated[i] } }
            assertMatchesReference(c.run(x, w, nil).values,
                                   c.reference(RefTensor(shape: x.shape, floats: x.values), RefTensor(shape: w.shape, floats: updated), nil),
                                   "\(c) after an in-place update")
        }
    }

    /// TensorFlow's SAME: ceil(input / stride) outputs, the odd pixel of padding after.
    func testSamePaddingShapes() {
        for (size, kernel, stride, dilation) in [(7, 3, 2, 1), (6, 3, 2, 1), (5, 5, 1, 1), (8, 3, 3, 2), (4, 1, 2, 1)] {
            let x = Tensor.ones([1, 1, size, size + 1])
            let w = Tensor.ones([1, 1, kernel, kernel])
            let y = conv2d(x, weight: w, stride: (stride, stride), padding: .same, dilation: (dilation, dilation))
            XCTAssertEqual(y.shape, [1, 1, (size + stride - 1) / stride, (size + stride) / stride],
                           "size \(size) kernel \(kernel) stride \(stride) dilation \(dilation)")
        }
        // Input 6, kernel 3, stride 2: one pixel of padding in all, at the bottom (and right).
        XCTAssertEqual(referencePadAmounts(.same, height: 6, width: 6, kernel: (3, 3), stride: (2, 2)),
                       PadAmounts(top: 0, bottom: 1, left: 0, right: 1))
    }

    private func check(_ c: ConvCase, _ g: inout SeededGenerator) {
        var inputs = [CheckedInput("x", c.inputShape, g.normals(c.inputShape.reduce(1, *)), layout: c.layout),
                      CheckedInput("weight", c.weightShape, g.normals(c.weightShape.reduce(1, *), std: 0.3))]
        if c.bias { inputs.append(CheckedInput("bias", [c.outChannels], g.normals(c.outChannels))) }
        checkGradients(inputs, generator: &g, "\(c)") { t in
            c.run(t[0], t[1], c.bias ? t[2] : nil)
        } reference: { r in
            c.reference(r[0], r[1], c.bias ? r[2] : nil)
        }
    }
}

/// A Linear layer's (O, I) weight as a 1x1 kernel (ConvNeXt's pointwise layers): the same values
/// and gradients as the (O, I, 1, 1) convolution, the weight's gradient in the weight's own shape.
final class LinearWeightConvolutionTests: XCTestCase {
    func testGradients() {
        var g = SeededGenerator(seed: 161)
        for layout in [LeafLayout.plain, .blocked(16)] {
            let inputs = [CheckedInput("x", [2, 16, 3, 2], g.normals(192), layout: layout),
                          CheckedInput("weight", [24, 16], g.normals(384, std: 0.25)),
                          CheckedInput("bias", [24], g.normals(24))]
            checkGradients(inputs, generator: &g, "1x1 convolution with a (O, I) weight [\(layout)]") { t in
                conv2d(t[0], weight: t[1], bias: t[2])
            } reference: { r in
                naiveConv2d(r[0], weight: r[1].reshaped([24, 16, 1, 1]), bias: r[2], stride: (1, 1),
                            pad: referencePadAmounts(.valid, height: 3, width: 2, kernel: (1, 1), stride: (1, 1), dilation: (1, 1)),
                            dilation: (1, 1), groups: 1)
            }
        }
    }
}
