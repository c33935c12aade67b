import Foundation

/// What a finished run kept: each stage's result (the weights it kept, which is also what the
/// next stage starts from), the best epoch, and where the outputs are.
public struct TrainingSummary: CustomStringConvertible {
    public struct Stage {
        public let stage: Int
        /// The epoch whose weights the stage kept, and its last epoch.
        public let kept: EpochRecord
        public let last: EpochRecord
    }

    public let stages: [Stage]
    /// The epoch whose weights were saved.
    public let keptEpoch: EpochRecord?
    public let outputs: RunOutputs?
    /// What the run's `LabelIssueFinder` found; nil when it did not look.
    public let labelIssues: LabelIssues?
    /// The saved model's calibration; nil when none was fitted (see `calibrationNote`).
    public let calibration: Calibration?
    /// What fitting it cost, in seconds.
    public let calibrationSeconds: Double?
    /// The calibration in a sentence: the temperature with ECE and NLL before and after, or why
    /// there is none.
    public let calibrationNote: String

    public init(trainer: Trainer, outputs: RunOutputs?) {
        stages = [1, 2].compactMap { stage in
            guard let last = trainer.history.last(where: { $0.stage == stage }), let kept = trainer.keptEpoch(afterStage: stage) else {
                return nil
            }
            return Stage(stage: stage, kept: kept, last: last)
        }
        keptEpoch = trainer.keptEpoch
        self.outputs = outputs
        labelIssues = trainer.labelIssues
        calibration = trainer.classifier.calibration
        calibrationSeconds = trainer.observers.lazy.compactMap { ($0 as? Calibrator)?.seconds }.first
        let sentence: String
        if trainer.options.calibration == .none {
            sentence = CalibrationReport.switchedOff.sentence
        } else if trainer.classifier.isMultiLabel {
            sentence = CalibrationReport.multiLabel.sentence
        } else if trainer.validationSet == nil {
            sentence = CalibrationReport.noValidationImages.sentence
        } else if let calibration {
            sentence = "calibration: " + calibration.summary + (calibrationSeconds.map { String(format: "; fitted in %.3f s", $0) } ?? "")
        } else {
            sentence = CalibrationReport.notFitted.sentence
        }
        calibrationNote = sentence
    }

    /// One line per stage with its validation accuracy, the kept epoch, and the output paths.
    public var description: String {
        var lines: [String] = []
        for stage in stages {
            guard let lastAccuracy = stage.last.validationAccuracy else { continue }
            var line = String(format: "stage %d: validation accuracy %.4f", stage.stage, stage.kept.validationAccuracy ?? lastAccuracy)
                + Self.meanAveragePrecision(stage.kept)
            if stage.kept.epoch != stage.last.epoch {
                line += String(format: " (weights of epoch %d; last epoch %.4f)", stage.kept.epoch, lastAccuracy)
            }
            lines.append(line)
        }
        if let best = keptEpoch {
            lines.append("kept epoch \(best.epoch) (stage \(best.stage))"
                         + (best.validationAccuracy.map { String(format: ": validation accuracy %.4f", $0) + Self.meanAveragePrecision(best) } ?? ""))
        }
        if let labelIssues {
            lines.append("label issues: " + labelIssues.summaryLine(listedIn: outputs?.labelIssuesCSV.path))
        }
        if !stages.isEmpty { lines.append(calibrationNote) }
        if let outputs {
            lines.append("model: \(outputs.modelDirectory.path)\ncurves: \(outputs.curves.path)\nreport: \(outputs.report.path)"
                         + (calibration != nil ? "\nreliability diagram: \(outputs.reliability.path)" : ""))
        }
        return lines.joined(separator: "\n")
    }

    /// ", mAP 0.8123 (accuracy: exact match)" for a multi-label run's epoch; "" otherwise.
    private static func meanAveragePrecision(_ record: EpochRecord) -> String {
        record.validationMeanAveragePrecision.map { String(format: ", mAP %.4f (accuracy: exact match)", $0) } ?? ""
    }
}
