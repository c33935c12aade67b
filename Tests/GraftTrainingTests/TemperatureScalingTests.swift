import Foundation
import GraftCore
@testable import GraftTraining
import XCTest

/// Temperature scaling and the expected calibration error on numbers whose answer is known: a
/// model whose labels are drawn from its own softmax is calibrated at T = 1, so the same logits
/// multiplied by 5 (deliberately over-confident) must fit T ≈ 5; the NLL's derivative in T
/// against central differences in double precision; the ECE of a hand-computed case.
final class TemperatureScalingTests: XCTestCase {
    /// `count` images of `classes` classes: normal logits of spread `scale`, each label drawn from
    /// the softmax of its own row, so the logits are calibrated as they are.
    private func calibratedModel(count: Int, classes: Int, scale: Float = 2, seed: UInt64 = 5) -> (logits: [Float], labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var logits: [Float] = [], labels: [Int] = []
        for _ in 0..<count {
            let row = (0..<classes).map { _ in scale * generator.nextNormal() }
            let top = row.max()!
            let weights = row.map { exp(Double($0 - top)) }
            var u = Double(generator.nextUnitFloat()) * weights.reduce(0, +)
            var label = classes - 1
            for (j, w) in weights.enumerated() {
                u -= w
                if u < 0 { label = j; break }
            }
            logits += row
            labels.append(label)
        }
        return (logits, labels)
    }

    func testAnOverconfidentModelFitsItsKnownFactorAndLowersNLLAndECE() {
        let model = calibratedModel(count: 6000, classes: 10)
        let calibratedT = TemperatureScaling(logits: model.logits, labels: model.labels, classes: 10).fit()
        XCTAssertEqual(calibratedT, 1, accuracy: 0.05, "the calibrated model itself")

        let overconfident = model.logits.map { $0 * 5 }
        let scaling = TemperatureScaling(logits: overconfident, labels: model.labels, classes: 10)
        let t = scaling.fit()
        print(String(format: "temperature fitted to logits × 5: %.4f (the unscaled logits fit %.4f)", t, calibratedT))
        XCTAssertEqual(t, 5, accuracy: 0.25)
        // The fit undoes exactly what the factor did: the same as 5 × the unscaled model's T.
        XCTAssertEqual(t, 5 * calibratedT, accuracy: 1e-6 * t)

        let calibration = Calibration(fittingLogits: overconfident, labels: model.labels, classes: 10)
        XCTAssertEqual(calibration.temperature, t)
        XCTAssertEqual(calibration.validationImages, 6000)
        XCTAssertLessThan(calibration.negativeLogLikelihoodAfter, calibration.negativeLogLikelihoodBefore - 0.5)
        XCTAssertGreaterThan(calibration.expectedCalibrationErrorBefore, 0.2)
        XCTAssertLessThan(calibration.expectedCalibrationErrorAfter, 0.03)
        print("over-confident model: " + calibration.summary)
    }

    func testAnUnderconfidentModelFitsATemperatureBelowOne() {
        let model = calibratedModel(count: 3000, classes: 4, seed: 9)
        let t = TemperatureScaling(logits: model.logits.map { $0 * 0.4 }, labels: model.labels, classes: 4).fit()
        XCTAssertEqual(t, 0.4, accuracy: 0.04)
    }

    func testTheFitIsTheMinimumAndTheDerivativeMatchesFiniteDifferences() {
        let model = calibratedModel(count: 500, classes: 6, scale: 3, seed: 21)
        let scaling = TemperatureScaling(logits: model.logits.map { $0 * 2.5 }, labels: model.labels, classes: 6)
        for t in [0.2, 0.7, 1.0, 2.4, 9.0] {
            let h = 1e-5 * t
            let numeric = (scaling.negativeLogLikelihood(temperature: t + h) - scaling.negativeLogLikelihood(temperature: t - h)) / (2 * h)
            let analytic = scaling.derivative(temperature: t)
            XCTAssertEqual(analytic, numeric, accuracy: 1e-7 * max(1, abs(numeric)), "dNLL/dT at T = \(t)")
        }
        let t = scaling.fit()
        XCTAssertEqual(scaling.derivative(temperature: t), 0, accuracy: 1e-10)
        let best = scaling.negativeLogLikelihood(temperature: t)
        for factor in [0.999, 1.001, 0.9, 1.1] {
            XCTAssertGreaterThan(scaling.negativeLogLikelihood(temperature: t * factor), best, "T × \(factor)")
        }
        // The same logits give the same temperature, bit for bit.
        XCTAssertEqual(TemperatureScaling(logits: scaling.logits, labels: scaling.labels, classes: 6).fit().bitPattern, t.bitPattern)
    }

    func testASigmoidHeadsTwoLogitsScaleItsOneLogit() {
        // A sigmoid head's logits are [0, z]; dividing them by T divides z: the binary NLL of z / T.
        let z: [Float] = [3, -1.5, 0.2, 6, -4, 2.5]
        let labels = [1, 0, 0, 1, 1, 1]
        let scaling = TemperatureScaling(logits: z.flatMap { [0, $0] }, labels: labels, classes: 2)
        let t = 1.7
        let binary = zip(z, labels).map { z, y -> Double in
            let p = 1 / (1 + exp(-Double(z) / t))
            return -(y == 1 ? log(p) : log(1 - p))
        }.reduce(0, +) / Double(z.count)
        XCTAssertEqual(scaling.negativeLogLikelihood(temperature: t), binary, accuracy: 1e-12)
        let model = calibratedModel(count: 4000, classes: 2, seed: 3)
        let oneLogit = stride(from: 0, to: model.logits.count, by: 2).map { model.logits[$0 + 1] - model.logits[$0] }
        let fitted = TemperatureScaling(logits: oneLogit.flatMap { [0, 5 * $0] }, labels: model.labels, classes: 2).fit()
        XCTAssertEqual(fitted, 5, accuracy: 0.4)
    }

    func testDegenerateCasesStayWithinTheSearchedRange() {
        // No images, one class, or rows no temperature changes: T = 1.
        XCTAssertEqual(TemperatureScaling(logits: [], labels: [], classes: 3).fit(), 1)
        XCTAssertEqual(TemperatureScaling(logits: [2, 5], labels: [0, 0], classes: 1).fit(), 1)
        XCTAssertEqual(TemperatureScaling(logits: [1, 1, 3, 3], labels: [0, 1], classes: 2).fit(), 1)
        // Every image right: the NLL falls as T falls, down to the range's end.
        let separated = TemperatureScaling(logits: [4, 0, 0, 3, 5, 1], labels: [0, 1, 0], classes: 2)
        XCTAssertEqual(separated.fit(), TemperatureScaling.searchedTemperatures.lowerBound)
        let calibration = Calibration(fittingLogits: separated.logits, labels: separated.labels, classes: 2)
        XCTAssertTrue(calibration.isAtSearchLimit)
        // Every image wrong, confidently: the hottest temperature searched.
        XCTAssertEqual(TemperatureScaling(logits: [0, 4, 3, 0], labels: [0, 1], classes: 2).fit(),
                       TemperatureScaling.searchedTemperatures.upperBound)
    }

    func testExpectedCalibrationErrorOfAHandComputedCase() {
        // Two classes, logits [0, a]: the confidence of class 1 is sigmoid(a).
        func logit(_ p: Double) -> Float { Float(log(p / (1 - p))) }
        let confidences = [0.9, 0.9, 0.62, 0.55]
        let labels = [1, 0, 1, 1]   // right, wrong, right, right
        let reliability = Reliability(logits: confidences.flatMap { [0, logit($0)] }, labels: labels, classes: 2)
        XCTAssertEqual(reliability.bins.count, 15)
        XCTAssertEqual(reliability.images, 4)
        // 0.9 falls in bin 13, (13/15, 14/15]; 0.62 in bin 9, (0.6, 0.667]; 0.55 in bin 8, (0.533, 0.6].
        XCTAssertEqual(reliability.bins.map(\.count), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 2, 0])
        XCTAssertEqual(reliability.bins[13].lower, 13.0 / 15, accuracy: 1e-15)
        XCTAssertEqual(reliability.bins[13].accuracy, 0.5)
        XCTAssertEqual(reliability.bins[13].confidence, 0.9, accuracy: 1e-6)
        XCTAssertEqual(reliability.bins[9].accuracy, 1)
        // ECE = 2/4 · |0.5 − 0.9| + 1/4 · |1 − 0.62| + 1/4 · |1 − 0.55|
        XCTAssertEqual(reliability.expectedCalibrationError, 0.2 + 0.38 / 4 + 0.45 / 4, accuracy: 1e-6)

        // Three classes at T = 2: confidence = 1 / Σ exp((z_j − z_max) / 2).
        let three = Reliability(logits: [4, 0, 0, 0, 2, 2], labels: [0, 2], classes: 3, temperature: 2)
        let first = 1 / (1 + 2 * exp(-2.0)), second = 1 / (1 + exp(-1.0) + 1)
        XCTAssertEqual(three.bins.filter { $0.count > 0 }.map(\.count), [1, 1])
        // The second image's tie goes to the lower index (class 1), so it is wrong.
        XCTAssertEqual(three.expectedCalibrationError, (abs(1 - first) + abs(0 - second)) / 2, accuracy: 1e-12)
    }
}
