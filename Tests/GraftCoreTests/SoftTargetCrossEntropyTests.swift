import Foundation
import GraftCore
import XCTest

final class SoftTargetCrossEntropyTests: XCTestCase {
    private func distributions(_ n: Int, _ k: Int, _ g: inout SeededGenerator) -> [Float] {
        (0..<n).flatMap { _ -> [Float] in
            let raw = g.uniforms(k, low: 0, high: 1)
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
    }

    func testGradientsAgainstFiniteDifferencesInDouble() {
        var g = SeededGenerator(seed: 93)
        for (n, k, smoothing, weighted) in [(4, 5, Float(0), false), (6, 3, 0.1, false), (5, 7, 0, true), (3, 2, 0.2, true)] {
            let targets = distributions(n, k, &g)
            let weights = weighted ? g.uniforms(k, low: 0.2, high: 2) : nil
            checkGradients([CheckedInput("logits", [n, k], g.normals(n * k, std: 2))], generator: &g,
                           "soft targets \(n)x\(k) smoothing \(smoothing) weighted \(weighted)") { t in
                softmaxCrossEntropy(t[0], targets: Tensor(shape: [n, k], values: targets), labelSmoothing: smoothing,
                                    classWeights: weights)
            } reference: { r in
                naiveSoftTargetCrossEntropy(r[0], targets: targets.map(Double.init), labelSmoothing: Double(smoothing),
                                            classWeights: weights?.map(Double.init))
            }
        }
    }

    /// One-hot targets without weights are the hard-label loss.
    func testOneHotTargetsGiveTheHardLabelLoss() {
        var g = SeededGenerator(seed: 5)
        let logits = Tensor(shape: [4, 3], values: g.normals(12, std: 1.5))
        let labels = [2, 0, 1, 1]
        let oneHot = Tensor(shape: [4, 3], values: labels.flatMap { label in (0..<3).map { $0 == label ? Float(1) : 0 } })
        XCTAssertEqual(softmaxCrossEntropy(logits, targets: oneHot, labelSmoothing: 0.1).item,
                       softmaxCrossEntropy(logits, labels: labels, labelSmoothing: 0.1).item, accuracy: 1e-6)
    }
}
