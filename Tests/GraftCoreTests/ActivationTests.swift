import GraftCore
import XCTest

final class ActivationTests: XCTestCase {
    func testGradientsPlain() {
        var g = SeededGenerator(seed: 31)
        for kind in Activation.allCases {
            check(kind, shape: [2, 3, 7, 5], layout: .plain, &g)
            check(kind, shape: [5, 12], layout: .plain, &g)
        }
    }

    /// Blocked inputs, including 20 channels (blocks padded with zeros past the last channel).
    func testGradientsBlocked() {
        var g = SeededGenerator(seed: 32)
        for kind in Activation.allCases {
            check(kind, shape: [2, 16, 3, 3], layout: .blocked(8), &g)
            check(kind, shape: [1, 20, 3, 5], layout: .blocked(16), &g)
        }
    }

    /// The free-function spellings are the same ops as `activation(_:_:)`.
    func testNamedFunctions() {
        var g = SeededGenerator(seed: 33)
        let x = Tensor(shape: [2, 5], values: g.uniforms(10, low: -8, high: 8))
        let named: [(Activation, (Tensor) -> Tensor)] = [(.relu, relu), (.relu6, relu6), (.sigmoid, sigmoid),
                                                         (.silu, silu), (.hardSwish, hardSwish),
                                                         (.hardSigmoid, hardSigmoid), (.gelu, gelu)]
        for (kind, f) in named {
            XCTAssertEqual(f(x).values, activation(x, kind).values, "\(kind)")
            assertMatchesReference(f(x).values, naiveActivation(kind, RefTensor(shape: x.shape, floats: x.values)), "\(kind)")
        }
    }

    private func check(_ kind: Activation, shape: [Int], layout: LeafLayout, _ g: inout SeededGenerator) {
        // Wide enough to reach both clipping points of relu6 and both bends of hardSwish.
        let values = awayFromKinks(g.uniforms(shape.reduce(1, *), low: -8, high: 8), kinks: kinks(of: kind))
        checkGradients([CheckedInput("x", shape, values, layout: layout)], generator: &g, "\(kind) \(shape) [\(layout)]") { t in
            activation(t[0], kind)
        } reference: { r in
            naiveActivation(kind, r[0])
        }
    }
}
