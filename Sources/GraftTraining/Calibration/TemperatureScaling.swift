import Foundation

/// Temperature scaling (Guo et al., "On Calibration of Modern Neural Networks", 2017): one scalar
/// T > 0 that divides every logit before the softmax, chosen to minimize the mean negative
/// log-likelihood of held-out labels. Dividing a row by T keeps its order, so the predicted class
/// and the accuracy stay as they were; only the confidence moves.
///
/// The NLL is convex in the inverse temperature β = 1/T: for each image it is a log-sum-exp of
/// functions linear in β minus a linear term. Its derivative in β is the mean of E_p[z] − z_label
/// and its second derivative the mean variance of the logits under p = softmax(β z), so the
/// minimum is the one root of an increasing function. Newton's method finds it, kept inside a
/// bracket that shrinks every step (a step that would leave the bracket bisects it in log β
/// instead), so it converges from any start. Everything is computed in Double from the logits in
/// their order: the same logits give the same temperature, bit for bit.
public struct TemperatureScaling: Sendable {
    /// Row-major (labels.count, classes).
    public let logits: [Float]
    public let labels: [Int]
    public let classes: Int

    /// Where the fit looks. Past these ends a temperature says more about the validation set than
    /// about calibration: one that the model separates perfectly pulls T towards 0 without limit.
    public static let searchedTemperatures: ClosedRange<Double> = 0.05...20

    public init(logits: [Float], labels: [Int], classes: Int) {
        precondition(classes > 0 && logits.count == labels.count * classes,
                     "\(logits.count) logits for \(labels.count) images of \(classes) classes")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "a label outside 0..<\(classes)")
        self.logits = logits
        self.labels = labels
        self.classes = classes
    }

    /// Mean negative log-likelihood of the labels under softmax(logits / temperature).
    public func negativeLogLikelihood(temperature: Double) -> Double {
        moments(inverseTemperature: 1 / temperature).value
    }

    /// d NLL / d T at `temperature`: the derivative in β times dβ/dT = −1/T².
    public func derivative(temperature: Double) -> Double {
        -moments(inverseTemperature: 1 / temperature).slope / (temperature * temperature)
    }

    /// The temperature of lowest NLL within `searchedTemperatures` (an end of it when the NLL
    /// still falls there); 1 for logits no temperature changes (every row constant) or no images.
    public func fit() -> Double {
        var low = 1 / Self.searchedTemperatures.upperBound, high = 1 / Self.searchedTemperatures.lowerBound
        guard !labels.isEmpty else { return 1 }
        if moments(inverseTemperature: low).slope >= 0 {
            // Rising over the whole range: flat logits (any T does) or the hottest T searched.
            return moments(inverseTemperature: high).slope <= 0 ? 1 : Self.searchedTemperatures.upperBound
        }
        if moments(inverseTemperature: high).slope <= 0 { return Self.searchedTemperatures.lowerBound }
        // Now slope(low) < 0 < slope(high): the root lies between them.
        var beta = 1.0
        for _ in 0..<200 {
            let m = moments(inverseTemperature: beta)
            if m.slope == 0 { break }
            if m.slope < 0 { low = beta } else { high = beta }
            let newton = m.curvature > 0 ? beta - m.slope / m.curvature : .nan
            let next = newton > low && newton < high ? newton : (low * high).squareRoot()
            let converged = abs(next - beta) <= 1e-13 * beta || high - low <= 1e-13 * beta
            beta = next
            if converged { break }
        }
        return 1 / beta
    }

    /// The NLL at β, its derivative and its second derivative in β, as means over the images.
    func moments(inverseTemperature beta: Double) -> (value: Double, slope: Double, curvature: Double) {
        var value = 0.0, slope = 0.0, curvature = 0.0
        var z = [Double](repeating: 0, count: classes), p = [Double](repeating: 0, count: classes)
        for (i, label) in labels.enumerated() {
            for j in 0..<classes { z[j] = Double(logits[i * classes + j]) }
            let top = z.max()!
            var total = 0.0
            for j in 0..<classes {
                // Shifted by the largest logit, so exp() stays finite at any β.
                p[j] = exp(beta * (z[j] - top))
                total += p[j]
            }
            var mean = 0.0
            for j in 0..<classes {
                p[j] /= total
                mean += p[j] * z[j]
            }
            var variance = 0.0
            for j in 0..<classes { variance += p[j] * (z[j] - mean) * (z[j] - mean) }
            value += beta * (top - z[label]) + log(total)
            slope += mean - z[label]
            curvature += variance
        }
        let n = Double(max(1, labels.count))
        return (value / n, slope / n, curvature / n)
    }
}
