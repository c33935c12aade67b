import Foundation
import GraftCore
import XCTest

final class CrossEntropyTests: XCTestCase {
    func testSoftmaxCrossEntropyGradients() {
        var g = SeededGenerator(seed: 91)
        let settings: [(Int, Int, Float, Bool)] = [(4, 5, 0, false), (6, 3, 0.1, false), (5, 7, 0, true), (8, 10, 0.2, true), (1, 2, 1, true)]
        for (n, k, smoothing, weighted) in settings {
            let labels = (0..<n).map { _ in Int(g.next() % UInt64(k)) }
            let weights = weighted ? g.uniforms(k, low: 0.2, high: 2) : nil
            checkGradients([CheckedInput("logits", [n, k], g.normals(n * k, std: 2))], generator: &g,
                           "softmaxCrossEntropy \(n)x\(k) smoothing \(smoothing) weighted \(weighted)") { t in
                softmaxCrossEntropy(t[0], labels: labels, labelSmoothing: smoothing, classWeights: weights)
            } reference: { r in
                naiveSoftmaxCrossEntropy(r[0], labels: labels, labelSmoothing: Double(smoothing),
                                         classWeights: weights?.map(Double.init))
            }
        }
    }

    /// Values worked out by hand.
    func testSoftmaxCrossEntropyKnownValues() {
        // Equal logits: every -log p is log K.
        let uniform = Tensor.zeros([3, 4])
        XCTAssertEqual(softmaxCrossEntropy(uniform, labels: [0, 1, 3]).item, Float(log(4.0)), accuracy: 1e-6)
        XCTAssertEqual(softmaxCrossEntropy(uniform, labels: [0, 1, 3], labelSmoothing: 0.3).item, Float(log(4.0)), accuracy: 1e-6)
        // With class weights w = (1, 2, 3, 4), PyTorch weights the smoothing term by w_j but still divides by
        // sum_i w[y_i] = 1 + 2 + 4 = 7: log 4 * (0.7 * 7 + 3 * 0.3 / 4 * (1 + 2 + 3 + 4)) / 7.
        XCTAssertEqual(softmaxCrossEntropy(uniform, labels: [0, 1, 3], labelSmoothing: 0.3, classWeights: [1, 2, 3, 4]).item,
                       Float(log(4.0) * 7.15 / 7), accuracy: 1e-6)
        // Two examples, class weights 1 and 3: (1 * l0 + 3 * l1) / 4.
        let logits = Tensor(shape: [2, 2], values: [2, 0, 0, 1])
        let l0 = log(1 + exp(-2.0)), l1 = log(1 + exp(-1.0))
        XCTAssertEqual(softmaxCrossEntropy(logits, labels: [0, 1], classWeights: [1, 3]).item, Float((l0 + 3 * l1) / 4), accuracy: 1e-6)
    }

    /// backward() without an explicit gradient seeds a scalar loss with 1.
    func testScalarBackward() {
        let logits = Tensor(shape: [2, 3], values: [1, 2, 3, 0, 0, 0], requiresGrad: true)
        softmaxCrossEntropy(logits, labels: [2, 0]).backward()
        // (softmax - one-hot) / batch size, per row.
        let e: [Double] = [exp(1.0), exp(2.0), exp(3.0)]
        let s = e[0] + e[1] + e[2]
        let third = 1.0 / 3
        let rows: [Double] = [e[0] / s, e[1] / s, e[2] / s - 1, third - 1, third, third]
        let expected = rows.map { $0 / 2 }
        assertMatchesReference(logits.grad!.values, RefTensor(shape: [2, 3], data: expected))
    }
}
