@testable import GraftCore
import XCTest

final class StochasticDepthTests: XCTestCase {
    /// The gradient is each sample's scale (0 or 1 / (1 - p)) times dy: checked against finite
    /// differences of the same per-sample scaling, its draws replayed from a copy of the generator.
    func testGradients() {
        var g = SeededGenerator(seed: 81)
        for (shape, p, layout) in [([6, 3, 5, 4], Float(0.5), LeafLayout.plain), ([5, 7], 0.4, .plain),
                                   ([6, 20, 3, 3], 0.5, .blocked(8)), ([5, 16, 2, 3], 0.3, .blocked(16)),
                                   ([6, 5, 2, 3], 0.5, .channelsLast)] {
            let x = g.normals(shape.reduce(1, *))
            var maskGenerator = SeededGenerator(seed: 810)
            let scales = perSampleScales(shape[0], p: p, from: maskGenerator)
            checkGradients([CheckedInput("x", shape, x, layout: layout)], generator: &g, "stochastic depth \(shape) p \(p) [\(layout)]") { t in
                stochasticDepth(t[0], p: p, training: true, generator: &maskGenerator)
            } reference: { r in
                let run = r[0].data.count / shape[0]
                return RefTensor(shape: shape, data: r[0].data.enumerated().map { i, v in v * scales[i / run] })
            }
            XCTAssertTrue(scales.contains(0), "stochastic depth \(shape): no sample dropped, the test checks too little")
            XCTAssertTrue(scales.contains { $0 != 0 }, "stochastic depth \(shape): every sample dropped")
        }
    }

    /// Whole samples are dropped or kept, never single elements; kept ones are scaled by
    /// 1 / (1 - p), about 1 - p of them survive, and the padding of a blocked layout stays zero.
    func testWholeSamplesAndKeepRate() {
        var g = SeededGenerator(seed: 82)
        let n = 4000, p: Float = 0.25
        let x = makeTensor(shape: [n, 3, 2, 2], values: [Float](repeating: 1, count: n * 12), layout: .blocked(8))
        let y = stochasticDepth(x, p: p, training: true, generator: &g)
        let values = y.values
        var kept = 0
        for s in 0..<n {
            let sample = values[s * 12 ..< (s + 1) * 12]
            XCTAssertTrue(sample.allSatisfy { $0 == 0 } || sample.allSatisfy { $0 == 1 / (1 - p) },
                          "sample \(s) is neither dropped nor kept whole: \(Array(sample))")
            if sample.first != 0 { kept += 1 }
        }
        // Binomial standard deviation: sqrt(0.75 * 0.25 / 4000) ~ 0.0068; allow five of them.
        XCTAssertEqual(Double(kept) / Double(n), 0.75, accuracy: 0.035)
        let storage = y.storage
        XCTAssertEqual(storage.layout, x.storage.layout, "the output left the input's blocked layout")
        let physical = Array(UnsafeBufferPointer(start: storage.floats, count: storage.floatCount))
        XCTAssertEqual(physical.filter { $0 != 0 }.count, kept * 12, "the padding of the blocked layout is not zero")
    }

    func testInferenceAndZeroProbabilityAreIdentity() {
        var g = SeededGenerator(seed: 83)
        let x = Tensor(shape: [3, 4, 2, 2], values: g.normals(48), requiresGrad: true)
        let before = g
        XCTAssertTrue(stochasticDepth(x, p: 0.5, training: false, generator: &g) === x)
        XCTAssertTrue(stochasticDepth(x, p: 0, training: true, generator: &g) === x)
        XCTAssertEqual(g, before, "an identity stochastic depth consumed random numbers")
    }

    /// The same seed drops the same samples; a frozen input records no backward.
    func testReproducibleAndFrozenInputRecordsNothing() {
        let x = Tensor.ones([64, 2])
        var g1 = SeededGenerator(seed: 6), g2 = SeededGenerator(seed: 6)
        let a = stochasticDepth(x, p: 0.5, training: true, generator: &g1)
        XCTAssertEqual(a.values, stochasticDepth(x, p: 0.5, training: true, generator: &g2).values)
        XCTAssertNotEqual(a.values, stochasticDepth(x, p: 0.5, training: true, generator: &g1).values)
        XCTAssertFalse(a.requiresGrad)
        XCTAssertNil(a.gradNode, "an op on a frozen input recorded a backward")
    }

    /// The scales the op draws for `batch` samples from a generator in `generator`'s state.
    private func perSampleScales(_ batch: Int, p: Float, from generator: SeededGenerator) -> [Double] {
        var copy = generator
        return (0..<batch).map { _ in copy.nextUnitFloat() < 1 - p ? Double(1 / (1 - p)) : 0 }
    }
}
