import Foundation

/// Calibrates the classifier's probabilities whenever a stage ends, once the weights it keeps are
/// in place (after `BestWeights`, before the outputs are written): `TrainingOptions.calibration`
/// `.temperature` fits a temperature on the validation images' logits (those the trainer already
/// holds, so it costs no extra pass) and sets `classifier.calibration`, which `save` writes into
/// config.json. Each stage's saved model is thus calibrated for its own weights, and the last fit
/// is on the final ones. With `.none`, or without validation images, the classifier is left
/// uncalibrated (any earlier temperature is dropped: it belonged to other weights).
public final class Calibrator: TrainingObserver {
    /// The last fit's cost in seconds (the logits' pass, when one was needed, included).
    public private(set) var seconds: Double?
    /// Whether `classifier.calibration` describes the weights the classifier holds now.
    private var current = false

    public init() {}

    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws { current = false }

    public func stageDidEnd(_ stage: Int, trainer: Trainer) throws { try calibrate(trainer) }

    /// A resumed run with nothing left to train still leaves a calibrated model.
    public func trainingDidEnd(_ trainer: Trainer) throws {
        if !current { try calibrate(trainer) }
    }

    private func calibrate(_ trainer: Trainer) throws {
        defer { current = true }
        let classifier = trainer.classifier
        // The temperature is fitted to a softmax over one class per image.
        guard trainer.options.calibration == .temperature, let validationSet = trainer.validationSet, !classifier.isMultiLabel else {
            classifier.calibration = nil
            return
        }
        let started = Date()
        if trainer.validationOutputs == nil {
            trainer.validationOutputs = try classifier.predictLogits(on: validationSet, batchSize: trainer.options.batchSize,
                                                                     threads: trainer.options.loaderThreads)
        }
        let (logits, labels) = trainer.validationOutputs!
        classifier.calibration = Calibration(fittingLogits: logits, labels: labels, classes: classifier.classNames.count)
        seconds = Date().timeIntervalSince(started)
    }
}
