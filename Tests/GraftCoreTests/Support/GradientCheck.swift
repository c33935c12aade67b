import GraftCore
import XCTest

/// One differentiable input of an op under test.
struct CheckedInput {
    let name: String
    let shape: [Int]
    let values: [Float]
    var layout: LeafLayout = .plain

    init(_ name: String, _ shape: [Int], _ values: [Float], layout: LeafLayout = .plain) {
        precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for \(shape)")
        self.name = name
        self.shape = shape
        self.values = values
        self.layout = layout
    }
}

/// Relative errors between two vectors: `norm` = ||a - b|| / ||b|| and `max` = max|a - b| / max|b|
/// (b is the reference), with the index of the largest difference.
struct Discrepancy {
    let norm: Double
    let max: Double
    let worstIndex: Int

    init(_ actual: [Double], reference: [Double]) {
        precondition(actual.count == reference.count)
        var diff2 = 0.0, ref2 = 0.0, maxDiff = 0.0, maxRef = 0.0, worst = 0
        for i in actual.indices {
            let d = abs(actual[i] - reference[i])
            diff2 += d * d
            ref2 += reference[i] * reference[i]
            if d > maxDiff { maxDiff = d; worst = i }
            maxRef = Swift.max(maxRef, abs(reference[i]))
        }
        let tiny = 1e-30
        norm = diff2.squareRoot() / Swift.max(ref2.squareRoot(), tiny)
        max = maxDiff / Swift.max(maxRef, tiny)
        worstIndex = worst
    }
}

/// Asserts max|actual - reference| / max|reference| < tolerance.
func assertMatchesReference(_ actual: [Float], _ reference: RefTensor, tolerance: Double = 1e-5,
                            _ what: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line) {
    guard actual.count == reference.count else {
        XCTFail("\(what()): \(actual.count) values, reference has \(reference.count)", file: file, line: line)
        return
    }
    let d = Discrepancy(actual.map(Double.init), reference: reference.data)
    XCTAssertLessThan(d.max, tolerance,
                      "\(what()): forward differs from the reference at \(d.worstIndex): \(actual[d.worstIndex]) vs \(reference.data[d.worstIndex])",
                      file: file, line: line)
}

/// Checks an op against its naive double-precision reference: the forward values, and the
/// analytic (float32) gradient of every input against central finite differences of
/// L(x) = sum(dy * reference(x)) in double, for a random upstream gradient dy.
///
/// `op` receives leaves (requiresGrad) for `inputs` in their layouts; `reference` receives the
/// same values in double. `reference` is called only after `op`, so it may use what `op` saw.
@discardableResult
func checkGradients(_ inputs: [CheckedInput], generator: inout SeededGenerator,
                    forwardTolerance: Double = 1e-5, gradientTolerance: Double = 1e-3, step: Double = 1e-4,
                    _ what: @autoclosure () -> String = "", file: StaticString = #filePath, line: UInt = #line,
                    op: ([Tensor]) -> Tensor, reference: ([RefTensor]) -> RefTensor) -> Tensor {
    let label = what()
    let leaves = inputs.map { makeTensor(shape: $0.shape, values: $0.values, layout: $0.layout, requiresGrad: true) }
    let out = op(leaves)
    var refs = inputs.map { RefTensor(shape: $0.shape, floats: $0.values) }
    let expected = reference(refs)
    XCTAssertEqual(out.shape, expected.shape, "\(label): output shape", file: file, line: line)
    guard out.shape == expected.shape else { return out }
    assertMatchesReference(out.values, expected, tolerance: forwardTolerance, label, file: file, line: line)
    XCTAssertTrue(out.requiresGrad, "\(label): output of an op on leaves needing gradients records no gradient", file: file, line: line)
    guard out.requiresGrad else { return out }

    let dy = generator.normals(out.count).map(Double.init)
    out.backward(gradient: Tensor(shape: out.shape, values: dy.map(Float.init)))

    func loss(_ r: [RefTensor]) -> Double {
        let y = reference(r).data
        var sum = 0.0
        for i in y.indices { sum += dy[i] * y[i] }
        return sum
    }

    for (k, input) in inputs.enumerated() {
        guard let grad = leaves[k].grad else {
            XCTFail("\(label): no gradient for \(input.name)", file: file, line: line)
            continue
        }
        guard grad.shape == input.shape else {
            XCTFail("\(label): gradient of \(input.name) has shape \(grad.shape), not \(input.shape)", file: file, line: line)
            continue
        }
        let analytic = grad.values.map(Double.init)
        var numeric = [Double](repeating: 0, count: input.values.count)
        for i in numeric.indices {
            let x0 = refs[k].data[i]
            refs[k].data[i] = x0 + step
            let plus = loss(refs)
            refs[k].data[i] = x0 - step
            let minus = loss(refs)
            refs[k].data[i] = x0
            numeric[i] = (plus - minus) / (2 * step)
        }
        let d = Discrepancy(analytic, reference: numeric)
        let detail = "\(label): gradient of \(input.name) \(input.shape) [\(input.layout)] relative error norm \(d.norm), max \(d.max); " +
            "worst at \(d.worstIndex): analytic \(analytic[d.worstIndex]) vs numeric \(numeric[d.worstIndex])"
        XCTAssertLessThan(d.norm, gradientTolerance, detail, file: file, line: line)
        XCTAssertLessThan(d.max, gradientTolerance, detail, file: file, line: line)
    }
    return out
}
