import GraftCore
import XCTest

final class MeanTests: XCTestCase {
    /// Plain and blocked inputs (20 and 12 channels leave zero padding in the blocks).
    func testMeanGradients() {
        var g = SeededGenerator(seed: 92)
        for (shape, layout) in [([2, 3, 4, 5], LeafLayout.plain), ([7], .plain), ([2, 20, 3, 3], .blocked(8)),
                                ([1, 12, 2, 3], .blocked(16))] {
            let x = CheckedInput("x", shape, g.normals(shape.reduce(1, *), mean: 0.5), layout: layout)
            checkGradients([x], generator: &g, "mean \(shape) [\(layout)]") { t in
                mean(t[0])
            } reference: { r in
                naiveMean(r[0])
            }
        }
    }

    /// backward() on the scalar mean gives 1 / count everywhere.
    func testScalarBackward() {
        let x = Tensor(shape: [2, 5], values: (0..<10).map(Float.init), requiresGrad: true)
        let m = mean(x)
        XCTAssertEqual(m.shape, [1])
        XCTAssertEqual(m.item, 4.5)
        m.backward()
        XCTAssertEqual(x.grad?.values, [Float](repeating: 0.1, count: 10))
    }
}
