import Foundation
import GraftCore
import XCTest

final class SigmoidCrossEntropyTests: XCTestCase {
    func testGradientsAgainstFiniteDifferencesInDouble() {
        var g = SeededGenerator(seed: 41)
        for (n, k, smoothing, soft) in [(4, 5, Float(0), false), (6, 3, 0.1, false), (5, 7, 0, true), (2, 1, 0.2, true)] {
            let targets: [Float] = soft ? g.uniforms(n * k, low: 0, high: 1) : g.uniforms(n * k, low: 0, high: 1).map { $0 < 0.4 ? 1 : 0 }
            checkGradients([CheckedInput("logits", [n, k], g.normals(n * k, std: 2))], generator: &g,
                           "multi-hot \(n)x\(k) smoothing \(smoothing) soft \(soft)") { t in
                sigmoidCrossEntropy(t[0], targets: Tensor(shape: [n, k], values: targets), labelSmoothing: smoothing)
            } reference: { r in
                naiveSigmoidCrossEntropy(r[0], targets: targets.map(Double.init), labelSmoothing: Double(smoothing))
            }
        }
    }

    /// Logits far out in either direction (where log σ(z) computed naively overflows) give the
    /// exact loss, and a confident right answer costs almost nothing.
    func testLargeLogitsStayFinite() {
        let logits = Tensor(shape: [1, 4], values: [200, -200, 200, -200])
        let right = sigmoidCrossEntropy(logits, targets: Tensor(shape: [1, 4], values: [1, 0, 1, 0])).item
        let wrong = sigmoidCrossEntropy(logits, targets: Tensor(shape: [1, 4], values: [0, 1, 1, 0])).item
        XCTAssertEqual(right, 0, accuracy: 1e-6)
        XCTAssertEqual(wrong, 100, accuracy: 1e-3, "two of four classes wrong by a logit of 200: 400 / 4")
    }

    /// One class with a 0/1 target is the two-class sigmoid head's loss: the softmax
    /// cross-entropy of [0, z].
    func testOneClassIsTheTwoClassSoftmaxLoss() {
        var g = SeededGenerator(seed: 7)
        let z = g.normals(6, std: 2)
        let labels = [0, 1, 1, 0, 1, 0]
        let sigmoid = sigmoidCrossEntropy(Tensor(shape: [6, 1], values: z), targets: Tensor(shape: [6, 1], values: labels.map(Float.init))).item
        let softmax = softmaxCrossEntropy(Tensor(shape: [6, 2], values: z.flatMap { [0, $0] }), labels: labels).item
        XCTAssertEqual(sigmoid, softmax, accuracy: 1e-5)
    }
}
