import GraftCore
import XCTest

/// ConvNeXt's layer scale: each channel times its (C, 1, 1) factor, with both gradients checked
/// in double precision, on plain, blocked and channels-last inputs.
final class ChannelScaleTests: XCTestCase {
    func testGradients() {
        var g = SeededGenerator(seed: 151)
        for (shape, layout) in [([2, 3, 4, 5], LeafLayout.plain), ([2, 20, 3, 3], .blocked(16)), ([1, 16, 2, 2], .blocked(8)),
                                ([3, 5, 2, 3], .channelsLast)] {
            let c = shape[1]
            let inputs = [CheckedInput("x", shape, g.normals(shape.reduce(1, *)), layout: layout),
                          CheckedInput("scale", [c, 1, 1], g.normals(c))]
            checkGradients(inputs, generator: &g, "scale channels \(shape) [\(layout)]") { t in
                scaleChannels(t[0], by: t[1])
            } reference: { r in
                let (x, s) = (r[0], r[1])
                var y = x
                for i in y.data.indices { y.data[i] *= s.data[i / (shape[2] * shape[3]) % c] }
                return y
            }
        }
    }
}
