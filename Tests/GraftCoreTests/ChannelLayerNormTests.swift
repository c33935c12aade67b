import GraftCore
import XCTest

/// ConvNeXt's LayerNorm over the channels of each pixel, against a double-precision loop: the
/// values, and the gradients of the input, the scale and the shift against central differences.
final class ChannelLayerNormTests: XCTestCase {
    func testGradientsFromEveryLayout() {
        var g = SeededGenerator(seed: 141)
        for (shape, layout) in [([2, 5, 3, 4], LeafLayout.plain), ([1, 20, 3, 3], .blocked(16)), ([2, 16, 2, 3], .blocked(8)),
                                ([2, 7, 3, 2], .channelsLast)] {
            let c = shape[1]
            // An offset and a spread per channel, so that the mean and the variance both matter.
            let x = (0..<shape.reduce(1, *)).map { i in Float(i / (shape[2] * shape[3]) % c) * 0.3 + 2 * g.nextNormal() }
            let inputs = [CheckedInput("x", shape, x, layout: layout),
                          CheckedInput("weight", [c], g.uniforms(c, low: 0.5, high: 1.5)),
                          CheckedInput("bias", [c], g.normals(c, std: 0.3))]
            let y = checkGradients(inputs, generator: &g, "channel layer norm \(shape) [\(layout)]") { t in
                channelLayerNorm(t[0], weight: t[1], bias: t[2], epsilon: 1e-6)
            } reference: { r in
                naiveChannelLayerNorm(r[0], weight: r[1], bias: r[2], epsilon: 1e-6)
            }
            XCTAssertEqual(y.layoutDescription, "channels-last", "channel layer norm \(shape): the output is not pixel rows")
        }
    }

    /// The input's gradient alone (frozen scale and shift), and the scale's alone (a frozen input).
    func testPartialGradients() {
        var g = SeededGenerator(seed: 142)
        let shape = [2, 6, 2, 2]
        let x = Tensor(shape: shape, values: g.normals(48), requiresGrad: true)
        let w = Tensor(shape: [6], values: g.uniforms(6, low: 0.5, high: 1.5)), b = Tensor(shape: [6], values: g.normals(6))
        channelLayerNorm(x, weight: w, bias: b, epsilon: 1e-6).backward(gradient: Tensor(shape: shape, values: g.normals(48)))
        XCTAssertNotNil(x.grad)
        XCTAssertNil(w.grad)
        let frozen = Tensor(shape: shape, values: x.values)
        let trained = Tensor(shape: [6], values: w.values, requiresGrad: true)
        channelLayerNorm(frozen, weight: trained, bias: b, epsilon: 1e-6).backward(gradient: Tensor(shape: shape, values: g.normals(48)))
        XCTAssertNotNil(trained.grad)
    }
}

/// LayerNorm over axis 1 of (N, C, H, W), biased variance, in double.
func naiveChannelLayerNorm(_ x: RefTensor, weight: RefTensor, bias: RefTensor, epsilon: Double) -> RefTensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var y = RefTensor(shape: x.shape)
    for b in 0..<n {
        for i in 0..<h {
            for j in 0..<w {
                let values = (0..<c).map { x.data[x.offset(b, $0, i, j)] }
                let mean = values.reduce(0, +) / Double(c)
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(c)
                for k in 0..<c {
                    y.data[y.offset(b, k, i, j)] = (values[k] - mean) / (variance + epsilon).squareRoot() * weight.data[k] + bias.data[k]
                }
            }
        }
    }
    return y
}
