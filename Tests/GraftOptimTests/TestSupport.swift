import GraftCore
import GraftOptim
import XCTest

/// A trainable leaf tensor, as a model's parameter would be.
func parameter(_ values: [Float], shape: [Int]? = nil) -> Tensor {
    Tensor(shape: shape ?? [values.count], values: values, requiresGrad: true)
}

/// Gives `p` exactly `values` as its gradient, through the public autodiff entry point.
func setGradient(_ p: Tensor, _ values: [Float]) {
    p.zeroGrad()
    p.backward(gradient: Tensor(shape: p.shape, values: values))
}

/// The bit patterns of a tensor's values, for comparisons that must be exact.
func bits(_ t: Tensor) -> [UInt32] { t.values.map(\.bitPattern) }

func assertClose(_ actual: [Float], _ expected: [Double], relative: Double = 1e-5, absolute: Double = 1e-6,
                 _ message: String = "", file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "count \(message)", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let tolerance = absolute + relative * abs(e)
        XCTAssert(abs(Double(a) - e) <= tolerance, "element \(i): \(a) vs expected \(e) \(message)", file: file, line: line)
    }
}

/// The error `body` throws, or a failure when it throws none.
func thrownError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> Error? {
    do {
        try body()
        XCTFail("expected an error", file: file, line: line)
        return nil
    } catch {
        return error
    }
}
