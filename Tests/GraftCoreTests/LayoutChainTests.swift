import GraftCore
import XCTest

/// Chains of ops, where blocked layouts flow from op to op without reorders in between: the
/// gradients of the first input (and of every parameter) must still be right.
final class LayoutChainTests: XCTestCase {
    /// conv -> batchNorm (training) -> relu6 -> conv, 16 and 32 channels.
    func testConvBatchNormRelu6Conv() {
        var g = SeededGenerator(seed: 101)
        let xShape = [2, 3, 6, 6], w1Shape = [16, 3, 3, 3], w2Shape = [32, 16, 1, 1]
        // No bias before batch norm in training mode: it would cancel out (zero gradient).
        let conv1 = ConvCase(inChannels: 3, height: 6, width: 6, outChannels: 16, padding: .symmetric(height: 1, width: 1), bias: false)
        func preActivation(_ r: [RefTensor]) -> RefTensor {
            naiveBatchNormTraining(conv1.reference(r[0], r[1], nil), scale: r[2], shift: r[3], epsilon: 1e-5)
        }
        // Redraw until no relu6 input lies near 0 or 6: finite differences stay on one piece.
        var inputs: [CheckedInput]
        repeat {
            inputs = [CheckedInput("x", xShape, g.normals(xShape.reduce(1, *))),
                      CheckedInput("conv1.weight", w1Shape, g.normals(w1Shape.reduce(1, *), std: 0.3)),
                      CheckedInput("bn.scale", [16], g.uniforms(16, low: 1, high: 2.5)),
                      CheckedInput("bn.shift", [16], g.uniforms(16, low: 1, high: 5)),
                      CheckedInput("conv2.weight", w2Shape, g.normals(w2Shape.reduce(1, *), std: 0.3))]
        } while !keepsAway(preActivation(inputs.map { RefTensor(shape: $0.shape, floats: $0.values) }), from: [0, 6], margin: 2e-3)

        let runningMean = Tensor.zeros([16]), runningVar = Tensor.ones([16])
        checkGradients(inputs, generator: &g, "conv-bn-relu6-conv") { t in
            let h = conv1.run(t[0], t[1], nil)
            XCTAssertTrue(h.layoutDescription.hasPrefix("blocked"), "conv output is \(h.layoutDescription), expected a blocked layout")
            let z = batchNorm(h, scale: t[2], shift: t[3], runningMean: runningMean, runningVar: runningVar, training: true)
            return conv2d(relu6(z), weight: t[4])
        } reference: { r in
            let a = naiveActivation(.relu6, preActivation(r))
            return naiveConv2d(a, weight: r[4], bias: nil, stride: (1, 1), pad: PadAmounts(top: 0, bottom: 0, left: 0, right: 0),
                               dilation: (1, 1), groups: 1)
        }
    }

    /// Squeeze-excite: conv -> (global pool -> sigmoid) broadcast-multiplied back -> silu.
    func testSqueezeExcite() {
        var g = SeededGenerator(seed: 102)
        let conv = ConvCase(inChannels: 5, height: 5, width: 5, outChannels: 16, padding: .same)
        let inputs = [CheckedInput("x", conv.inputShape, g.normals(conv.inputShape.reduce(1, *))),
                      CheckedInput("weight", conv.weightShape, g.normals(conv.weightShape.reduce(1, *), std: 0.3)),
                      CheckedInput("bias", [16], g.normals(16))]
        checkGradients(inputs, generator: &g, "squeeze-excite") { t in
            let h = conv.run(t[0], t[1], t[2])
            let s = sigmoid(reshape(globalAvgPool2d(h), [2, 16, 1, 1]))
            return silu(multiply(h, s))
        } reference: { r in
            let h = conv.reference(r[0], r[1], r[2])
            let s = naiveActivation(.sigmoid, naiveGlobalAvgPool2d(h).reshaped([2, 16, 1, 1]))
            return naiveActivation(.silu, naiveBroadcast(h, s, *))
        }
    }

    /// Residual add of two convs (20 channels: padded blocks), concatenated with a third branch.
    func testResidualAndConcat() {
        var g = SeededGenerator(seed: 103)
        let a = ConvCase(inChannels: 5, height: 5, width: 3, outChannels: 20, padding: .same)
        let b = ConvCase(inChannels: 5, height: 5, width: 3, outChannels: 20, kernel: (1, 1), bias: false)
        let c = ConvCase(inChannels: 5, height: 5, width: 3, outChannels: 12, padding: .same, groups: 1)
        let inputs = [CheckedInput("x", a.inputShape, g.normals(a.inputShape.reduce(1, *))),
                      CheckedInput("a.weight", a.weightShape, g.normals(a.weightShape.reduce(1, *), std: 0.3)),
                      CheckedInput("a.bias", [20], g.normals(20)),
                      CheckedInput("b.weight", b.weightShape, g.normals(b.weightShape.reduce(1, *), std: 0.3)),
                      CheckedInput("c.weight", c.weightShape, g.normals(c.weightShape.reduce(1, *), std: 0.3)),
                      CheckedInput("c.bias", [12], g.normals(12))]
        checkGradients(inputs, generator: &g, "residual and concat") { t in
            let sum = add(a.run(t[0], t[1], t[2]), b.run(t[0], t[3], nil))
            return sigmoid(concatChannels([sum, c.run(t[0], t[4], t[5])]))
        } reference: { r in
            let sum = naiveBroadcast(a.reference(r[0], r[1], r[2]), b.reference(r[0], r[3], nil), +)
            return naiveActivation(.sigmoid, naiveConcatChannels([sum, c.reference(r[0], r[4], r[5])]))
        }
    }

    /// Classifier head: depthwise conv -> avg pool -> dropout -> flatten -> linear -> cross-entropy.
    func testClassifierHead() {
        var g = SeededGenerator(seed: 104)
        let dw = ConvCase(inChannels: 16, height: 7, width: 5, outChannels: 16, stride: (2, 2), padding: .same, groups: 16,
                          layout: .blocked(8))
        let labels = [3, 0]
        let inputs = [CheckedInput("x", dw.inputShape, g.normals(dw.inputShape.reduce(1, *)), layout: .blocked(8)),
                      CheckedInput("dw.weight", dw.weightShape, g.normals(dw.weightShape.reduce(1, *), std: 0.5)),
                      CheckedInput("dw.bias", [16], g.normals(16)),
                      CheckedInput("fc.weight", [5, 192], g.normals(5 * 192, std: 0.2)),
                      CheckedInput("fc.bias", [5], g.normals(5))]
        var mask: [Double] = []
        var dropoutGenerator = SeededGenerator(seed: 1040)
        checkGradients(inputs, generator: &g, "classifier head") { t in
            let pooled = avgPool2d(dw.run(t[0], t[1], t[2]), kernel: (2, 2), stride: (1, 1), padding: .same, countPadding: false)
            let dropped = dropout(pooled, p: 0.25, training: true, generator: &dropoutGenerator)
            // Kept elements are scaled by 1 / (1 - p) computed in float, as the op does.
            mask = dropped.values.map { $0 == 0 ? 0 : Double(Float(1) / Float(0.75)) }
            return softmaxCrossEntropy(linear(flatten(dropped), weight: t[3], bias: t[4]), labels: labels, labelSmoothing: 0.1)
        } reference: { r in
            let h = dw.reference(r[0], r[1], r[2])
            let pad = referencePadAmounts(.same, height: 4, width: 3, kernel: (2, 2), stride: (1, 1))
            let pooled = naiveAvgPool2d(h, kernel: (2, 2), stride: (1, 1), pad: pad, countPadding: false)
            let dropped = RefTensor(shape: pooled.shape, data: zip(pooled.data, mask).map(*))
            return naiveSoftmaxCrossEntropy(naiveLinear(dropped.reshaped([2, 192]), weight: r[3], bias: r[4]), labels: labels,
                                            labelSmoothing: 0.1, classWeights: nil)
        }
    }

    private func keepsAway(_ t: RefTensor, from kinks: [Double], margin: Double) -> Bool {
        t.data.allSatisfy { v in kinks.allSatisfy { abs(v - $0) > margin } }
    }
}
