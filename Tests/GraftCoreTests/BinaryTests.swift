import GraftCore
import XCTest

final class BinaryTests: XCTestCase {
    /// Same shapes, and the second operand broadcast: (N, C, 1, 1) as in squeeze-excite,
    /// (1, C, 1, 1) as a per-channel bias, (1, C) onto (N, C).
    static let shapePairs: [([Int], [Int])] = [
        ([2, 3, 7, 5], [2, 3, 7, 5]),
        ([2, 5, 3, 3], [2, 5, 1, 1]),
        ([3, 12, 3, 5], [1, 12, 1, 1]),
        ([4, 7], [4, 7]),
        ([4, 7], [1, 7]),
        ([2, 3, 4, 5], [1, 1, 4, 5]),
    ]

    func testAddGradients() {
        var g = SeededGenerator(seed: 41)
        for (a, b) in Self.shapePairs { check(add, "add", a, b, .plain, &g) { $0 + $1 } }
    }

    func testMultiplyGradients() {
        var g = SeededGenerator(seed: 42)
        for (a, b) in Self.shapePairs { check(multiply, "multiply", a, b, .plain, &g) { $0 * $1 } }
    }

    /// The first operand in a blocked or channels-last layout: the second follows it (squeeze-excite
    /// on conv output, a per-channel bias's gradient summed over the pixel rows).
    func testBlockedAndChannelsLastGradients() {
        var g = SeededGenerator(seed: 43)
        for (a, b, layout) in [([2, 16, 3, 5], [2, 16, 1, 1], LeafLayout.blocked(8)), ([2, 20, 3, 3], [2, 20, 3, 3], .blocked(8)),
                               ([1, 32, 3, 3], [1, 32, 1, 1], .blocked(16)), ([2, 12, 2, 3], [1, 12, 1, 1], .blocked(16)),
                               ([3, 5, 2, 3], [1, 5, 1, 1], .channelsLast), ([2, 6, 3, 2], [2, 6, 3, 2], .channelsLast)] {
            check(add, "add", a, b, layout, &g) { $0 + $1 }
            check(multiply, "multiply", a, b, layout, &g) { $0 * $1 }
        }
    }

    func testOperators() {
        var g = SeededGenerator(seed: 44)
        let a = Tensor(shape: [2, 3], values: g.normals(6)), b = Tensor(shape: [1, 3], values: g.normals(3))
        XCTAssertEqual((a + b).values, add(a, b).values)
        XCTAssertEqual((a * b).values, multiply(a, b).values)
    }

    /// The same tensor as both operands: its gradient is the sum of both contributions.
    func testSameTensorTwice() {
        var g = SeededGenerator(seed: 45)
        let x = g.normals(12)
        checkGradients([CheckedInput("x", [3, 4], x)], generator: &g, "x * x + x") { t in
            add(multiply(t[0], t[0]), t[0])
        } reference: { r in
            r[0].map { $0 * $0 + $0 }
        }
    }

    private func check(_ op: (Tensor, Tensor) -> Tensor, _ name: String, _ aShape: [Int], _ bShape: [Int], _ layout: LeafLayout,
                       _ g: inout SeededGenerator, _ scalar: @escaping (Double, Double) -> Double) {
        let inputs = [CheckedInput("a", aShape, g.normals(aShape.reduce(1, *)), layout: layout),
                      CheckedInput("b", bShape, g.normals(bShape.reduce(1, *)))]
        checkGradients(inputs, generator: &g, "\(name) \(aShape) [\(layout)] with \(bShape)") { t in
            op(t[0], t[1])
        } reference: { r in
            naiveBroadcast(r[0], r[1], scalar)
        }
    }
}
