import GraftCore

/// The `calibration` object of a saved model's config.json: the temperature that predict, serve
/// and export divide the logits by before the softmax, and what fitting it measured on the
/// validation images. A model saved without one (before calibration existed, with
/// `--calibration none`, or trained without validation images) predicts with T = 1.
public struct Calibration: Codable, Equatable, Sendable {
    public var method: CalibrationMethod
    public var temperature: Double
    /// The images the temperature was fitted on.
    public var validationImages: Int
    /// Mean negative log-likelihood of the validation labels at T = 1 and at the fitted T.
    public var negativeLogLikelihoodBefore: Double
    public var negativeLogLikelihoodAfter: Double
    /// Expected calibration error (`Reliability`, 15 bins) at T = 1 and at the fitted T.
    public var expectedCalibrationErrorBefore: Double
    public var expectedCalibrationErrorAfter: Double

    enum CodingKeys: String, CodingKey {
        case method, temperature
        case validationImages = "validation_images"
        case negativeLogLikelihoodBefore = "nll_before", negativeLogLikelihoodAfter = "nll_after"
        case expectedCalibrationErrorBefore = "ece_before", expectedCalibrationErrorAfter = "ece_after"
    }

    /// The temperatures a config.json may hold: any positive one (a hand-set value need not lie in
    /// the fit's search range), short of absurd.
    public static let readableTemperatures = RealBounds.above(0, upTo: 1000)

    /// Fits a temperature to `logits` (row-major, labels.count × classes) and measures both ends.
    public init(fittingLogits logits: [Float], labels: [Int], classes: Int) {
        let scaling = TemperatureScaling(logits: logits, labels: labels, classes: classes)
        let temperature = scaling.fit()
        self.init(temperature: temperature, logits: logits, labels: labels, classes: classes)
    }

    /// `temperature` with its NLL and ECE against T = 1 on `logits`.
    public init(temperature: Double, logits: [Float], labels: [Int], classes: Int) {
        let scaling = TemperatureScaling(logits: logits, labels: labels, classes: classes)
        method = .temperature
        self.temperature = temperature
        validationImages = labels.count
        negativeLogLikelihoodBefore = scaling.negativeLogLikelihood(temperature: 1)
        negativeLogLikelihoodAfter = scaling.negativeLogLikelihood(temperature: temperature)
        expectedCalibrationErrorBefore = Reliability(logits: logits, labels: labels, classes: classes).expectedCalibrationError
        expectedCalibrationErrorAfter = Reliability(logits: logits, labels: labels, classes: classes, temperature: temperature)
            .expectedCalibrationError
    }

    /// Whether the fit stopped at an end of `TemperatureScaling.searchedTemperatures` (too few
    /// validation images, or ones the model separates perfectly).
    public var isAtSearchLimit: Bool {
        let range = TemperatureScaling.searchedTemperatures
        return temperature == range.lowerBound || temperature == range.upperBound
    }

    /// "temperature 1.42 (fitted on 120 validation images): ECE 0.081 → 0.023, NLL 0.452 → 0.381"
    public var summary: String {
        String(format: "temperature %.4g (fitted on %d validation images): ECE %.4f → %.4f, NLL %.4f → %.4f",
               temperature, validationImages, expectedCalibrationErrorBefore, expectedCalibrationErrorAfter,
               negativeLogLikelihoodBefore, negativeLogLikelihoodAfter)
    }
}
