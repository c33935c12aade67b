/// What a training run does after training to make its probabilities mean what they say.
public enum CalibrationMethod: String, Codable, CaseIterable, Sendable {
    /// Nothing: predictions are the softmax of the network's logits.
    case none
    /// Temperature scaling: one T fitted on the validation images divides the logits
    /// (`TemperatureScaling`); the default.
    case temperature
}
