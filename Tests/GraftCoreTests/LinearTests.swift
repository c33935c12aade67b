import GraftCore
import XCTest

final class LinearTests: XCTestCase {
    func testLinearGradients() {
        var g = SeededGenerator(seed: 61)
        for (n, inF, outF, bias) in [(5, 7, 3, true), (4, 20, 12, false), (1, 16, 5, true), (3, 32, 16, true), (6, 5, 1, false)] {
            var inputs = [CheckedInput("x", [n, inF], g.normals(n * inF)),
                          CheckedInput("weight", [outF, inF], g.normals(outF * inF, std: 0.3))]
            if bias { inputs.append(CheckedInput("bias", [outF], g.normals(outF))) }
            checkGradients(inputs, generator: &g, "linear \(n)x\(inF) -> \(outF) bias \(bias)") { t in
                linear(t[0], weight: t[1], bias: bias ? t[2] : nil)
            } reference: { r in
                naiveLinear(r[0], weight: r[1], bias: bias ? r[2] : nil)
            }
        }
    }

    func testLinearForwardWithoutGradients() {
        var g = SeededGenerator(seed: 62)
        let x = g.normals(8 * 40), w = g.normals(10 * 40), b = g.normals(10)
        let y = linear(Tensor(shape: [8, 40], values: x), weight: Tensor(shape: [10, 40], values: w),
                       bias: Tensor(shape: [10], values: b))
        XCTAssertFalse(y.requiresGrad)
        assertMatchesReference(y.values, naiveLinear(RefTensor(shape: [8, 40], floats: x), weight: RefTensor(shape: [10, 40], floats: w),
                                                     bias: RefTensor(shape: [10], floats: b)))
    }

    /// The weight updated in place between two calls: the cached reordered copy must not be stale.
    func testWeightUpdatedInPlace() {
        var g = SeededGenerator(seed: 63)
        let x = Tensor(shape: [3, 6], values: g.normals(18))
        let w = Tensor(shape: [4, 6], values: g.normals(24), requiresGrad: true)
        _ = linear(x, weight: w)
        let newW = g.normals(24)
        w.withUnsafeMutableBuffer { buffer in for i in buffer.indices { buffer[i] = newW[i] } }
        assertMatchesReference(linear(x, weight: w).values,
                               naiveLinear(RefTensor(shape: [3, 6], floats: x.values), weight: RefTensor(shape: [4, 6], floats: newW), bias: nil),
                               "after an in-place update")
        w.assign(g.normals(24))
        assertMatchesReference(linear(x, weight: w).values,
                               naiveLinear(RefTensor(shape: [3, 6], floats: x.values), weight: RefTensor(shape: [4, 6], floats: w.values), bias: nil),
                               "after assign")
    }

    func testMatmulGradients() {
        var g = SeededGenerator(seed: 64)
        for (m, k, n) in [(3, 7, 5), (1, 4, 6), (8, 16, 3), (5, 1, 5)] {
            checkGradients([CheckedInput("a", [m, k], g.normals(m * k)), CheckedInput("b", [k, n], g.normals(k * n))],
                           generator: &g, "matmul \(m)x\(k) by \(k)x\(n)") { t in
                matmul(t[0], t[1])
            } reference: { r in
                naiveMatmul(r[0], r[1])
            }
        }
    }
}
