import GraftCore
import XCTest

final class DropoutTests: XCTestCase {
    /// The gradient is the mask times dy: checked against finite differences of x * mask, with the
    /// mask recovered from the op's own output.
    func testGradients() {
        var g = SeededGenerator(seed: 71)
        for (shape, p, layout) in [([2, 3, 7, 5], Float(0.3), LeafLayout.plain), ([4, 12], 0.5, .plain),
                                   ([2, 20, 3, 3], 0.2, .blocked(8)), ([1, 16, 3, 5], 0.6, .blocked(16))] {
            let x = awayFromZero(g.normals(shape.reduce(1, *)))
            var mask: [Double] = []
            var maskGenerator = SeededGenerator(seed: 710)
            checkGradients([CheckedInput("x", shape, x, layout: layout)], generator: &g, "dropout \(shape) p \(p) [\(layout)]") { t in
                let y = dropout(t[0], p: p, training: true, generator: &maskGenerator)
                mask = recoveredMask(input: x, output: y.values, p: p)
                return y
            } reference: { r in
                RefTensor(shape: shape, data: zip(r[0].data, mask).map(*))
            }
            let kept = mask.filter { $0 != 0 }.count
            XCTAssertGreaterThan(kept, 0, "dropout \(shape): everything dropped")
            XCTAssertLessThan(kept, mask.count, "dropout \(shape): nothing dropped")
        }
    }

    /// About 1 - p of the elements survive, scaled by 1 / (1 - p), so the mean is kept.
    func testKeepRateAndScale() {
        var g = SeededGenerator(seed: 72)
        let n = 20_000, p: Float = 0.3
        let y = dropout(Tensor.ones([n]), p: p, training: true, generator: &g).values
        let kept = y.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { $0 == 1 / (1 - p) }, "kept elements are not scaled by 1 / (1 - p)")
        let rate = Double(kept.count) / Double(n)
        // Binomial standard deviation: sqrt(0.7 * 0.3 / 20000) ~ 0.0032; allow five of them.
        XCTAssertEqual(rate, 0.7, accuracy: 0.016)
    }

    func testInferenceAndZeroProbabilityAreIdentity() {
        var g = SeededGenerator(seed: 73)
        let x = Tensor(shape: [3, 4], values: g.normals(12), requiresGrad: true)
        let before = g
        XCTAssertEqual(dropout(x, p: 0.5, training: false, generator: &g).values, x.values)
        XCTAssertEqual(dropout(x, p: 0, training: true, generator: &g).values, x.values)
        XCTAssertEqual(g, before, "an identity dropout consumed random numbers")
    }

    /// The same seed gives the same mask; the generator moves on between calls.
    func testReproducibleMasks() {
        let x = Tensor.ones([64])
        var g1 = SeededGenerator(seed: 5), g2 = SeededGenerator(seed: 5)
        let a = dropout(x, p: 0.5, training: true, generator: &g1).values
        XCTAssertEqual(a, dropout(x, p: 0.5, training: true, generator: &g2).values)
        XCTAssertNotEqual(a, dropout(x, p: 0.5, training: true, generator: &g1).values)
    }

    /// Keyed by sample, a slice of a batch gets the rows of the whole batch's masks (what lets a
    /// data-parallel worker draw what one process draws), for dropout and stochastic depth in
    /// plain and blocked layouts; every layer of a pass draws anew.
    func testMasksKeyedBySampleDoNotDependOnTheSlice() {
        var g = SeededGenerator(seed: 74)
        let x = Tensor(shape: [5, 16, 2, 2], values: awayFromZero(g.normals(320)))
        for blocked in [false, true] {
            let input = blocked ? x.blocked() : x
            var whole = LayerRandomness(batchSeed: 9, firstSample: 0)
            let all = dropout(input, p: 0.5, training: true, generator: &whole).values
            let secondLayer = dropout(input, p: 0.5, training: true, generator: &whole).values
            XCTAssertNotEqual(all, secondLayer, "the second layer of a pass repeated the first one's mask")
            let depth = stochasticDepth(input, p: 0.5, training: true, generator: &whole).values
            for range in [0..<2, 2..<5, 4..<5] {
                var slice = LayerRandomness(batchSeed: 9, firstSample: range.lowerBound)
                let rows = Tensor(shape: [range.count, 16, 2, 2], values: Array(x.values[(range.lowerBound * 64)..<(range.upperBound * 64)]))
                let part = blocked ? rows.blocked() : rows
                XCTAssertEqual(dropout(part, p: 0.5, training: true, generator: &slice).values, Array(all[(range.lowerBound * 64)..<(range.upperBound * 64)]),
                               "dropout \(range), blocked \(blocked)")
                _ = dropout(part, p: 0.5, training: true, generator: &slice)
                XCTAssertEqual(stochasticDepth(part, p: 0.5, training: true, generator: &slice).values,
                               Array(depth[(range.lowerBound * 64)..<(range.upperBound * 64)]), "stochastic depth \(range), blocked \(blocked)")
            }
        }
    }

    /// The mask as y / x: 0 where dropped, the float scale where kept (checked to be exact).
    private func recoveredMask(input: [Float], output: [Float], p: Float) -> [Double] {
        let scale = 1 / (1 - p)
        return zip(input, output).map { x, y in
            if y == 0 { return 0 }
            XCTAssertEqual(y, x * scale, "a kept element is not x / (1 - p)")
            return Double(scale)
        }
    }
}
