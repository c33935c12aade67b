/// What a run's report says of the calibration of the model it saved.
public enum CalibrationReport: Sendable, Equatable {
    /// A temperature fitted on the validation images: the record saved in config.json, and the
    /// reliability of the validation predictions before (T = 1) and after.
    case fitted(Calibration, before: Reliability, after: Reliability)
    /// `TrainingOptions.calibration` is `.none` (`--calibration none`).
    case switchedOff
    /// No validation images to fit a temperature on.
    case noValidationImages
    /// Not fitted for these weights (no `Calibrator` among the trainer's observers, or a report
    /// made before a stage ended).
    case notFitted
    /// A multi-label model: the temperature here is a softmax's, for one class per image.
    case multiLabel

    /// The reliability diagram, when a temperature was fitted.
    public var svg: String? {
        guard case let .fitted(calibration, before, after) = self else { return nil }
        return ReliabilityDiagram.svg(before: before, after: after, temperature: calibration.temperature)
    }

    /// One sentence for a summary or a log.
    public var sentence: String {
        switch self {
        case .fitted(let calibration, _, _): return "calibration: " + calibration.summary
        case .switchedOff: return "calibration: switched off; probabilities are the softmax of the logits (T = 1)"
        case .noValidationImages: return "calibration: no validation images to fit a temperature on; probabilities are uncalibrated (T = 1)"
        case .notFitted: return "calibration: none fitted for these weights (T = 1)"
        case .multiLabel: return "calibration: not fitted; temperature scaling here is for one class per image and this model is multi-label (T = 1)"
        }
    }
}

extension Trainer {
    /// The calibration of the weights the classifier holds, measured on `logits` (the validation
    /// images', row-major) when a temperature was fitted.
    func calibrationReport(logits: [Float]?, labels: [Int]?) -> CalibrationReport {
        guard options.calibration == .temperature else { return .switchedOff }
        guard !classifier.isMultiLabel else { return .multiLabel }
        guard let logits, let labels else { return .noValidationImages }
        guard let calibration = classifier.calibration else { return .notFitted }
        let classes = classifier.classNames.count
        return .fitted(calibration, before: Reliability(logits: logits, labels: labels, classes: classes),
                       after: Reliability(logits: logits, labels: labels, classes: classes, temperature: calibration.temperature))
    }
}
