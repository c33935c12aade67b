@testable import GraftCore
import XCTest

/// Hard-sigmoid runs as two oneDNN steps; what those steps could get wrong beyond the values and
/// gradients that `ActivationTests` checks for every activation.
final class HardSigmoidTests: XCTestCase {
    /// 1/2 at zero: the padding of a blocked layout (20 channels in blocks of 16) must still hold
    /// zeros after it, since later ops read the whole buffer.
    func testBlockedPaddingStaysZero() {
        var g = SeededGenerator(seed: 91)
        let shape = [2, 20, 3, 3]
        let x = makeTensor(shape: shape, values: g.normals(shape.reduce(1, *)), layout: .blocked(16))
        XCTAssertTrue(x.storage.layout.hasPadding)
        for reusing in [false, true] {
            let input = makeTensor(shape: shape, values: x.values, layout: .blocked(16))
            let y = activation(input, .hardSigmoid, reusingInput: reusing)
            let physical = Array(UnsafeBufferPointer(start: y.storage.floats, count: y.storage.floatCount))
            let nonZero = physical.filter { $0 != 0 }.count
            XCTAssertEqual(nonZero, y.values.filter { $0 != 0 }.count, "padding holds non-zero values (reusing \(reusing))")
            assertMatchesReference(y.values, naiveActivation(.hardSigmoid, RefTensor(shape: shape, floats: x.values)),
                                   "hard-sigmoid (reusing \(reusing))")
        }
    }

    /// As a convolution's fused post-op (linear, then clip) it gives what the separate op gives.
    func testFusedIntoConvolution() {
        var g = SeededGenerator(seed: 92)
        let x = Tensor(shape: [2, 8, 5, 5], values: g.normals(400, std: 2))
        let w = Tensor(shape: [16, 8, 1, 1], values: g.normals(128, std: 0.7))
        let b = Tensor(shape: [16], values: g.normals(16))
        GradMode.withoutGradients {
            let fused = conv2dInference(x, weight: w, bias: b, activation: .hardSigmoid)
            let separate = hardSigmoid(conv2d(x, weight: w, bias: b))
            let reference = RefTensor(shape: separate.shape, floats: separate.values)
            assertMatchesReference(fused.values, reference, "conv + hard-sigmoid post-op")
            XCTAssertTrue(fused.values.contains(0) && fused.values.contains(1), "the inputs never reach the clipped ends")
        }
    }
}
