import Foundation

/// What a range test measured: the loss at each rate of the sweep, smoothed, and the rates
/// suggested from it.
public struct LearningRateFinding: Sendable {
    public struct Point: Sendable, Equatable, Codable {
        public let step: Int
        public let learningRate: Double
        /// The batch's loss at this rate, before the step.
        public let loss: Double
        /// The exponential moving average of the losses so far, debiased as Adam's moments are.
        public let smoothedLoss: Double
    }

    public let stage: LearningRateRangeTest.Stage
    public let points: [Point]
    /// Why the sweep ended: it reached the last rate, or the loss diverged (and at which rate).
    public let ending: String
    /// nil when the loss diverged too early to read a curve.
    public let suggestions: LearningRateSuggestions?
    public let seconds: Double

    init(stage: LearningRateRangeTest.Stage, points: [Point], ending: String, seconds: Double) {
        self.stage = stage
        self.points = points
        self.ending = ending
        self.seconds = seconds
        suggestions = LearningRateSuggestions(learningRates: points.map(\.learningRate), smoothedLosses: points.map(\.smoothedLoss))
    }

    /// What a command prints: the sweep, how it ended and the suggestions.
    public var summary: String {
        var lines = [String(format: "%@ stage: %d steps from %.1e to %.1e in %.1f s; %@", stage.rawValue, points.count,
                            points.first?.learningRate ?? 0, points.last?.learningRate ?? 0, seconds, ending)]
        if let s = suggestions {
            lines.append(String(format: "suggested learning rate: %.2e (valley)", s.valley))
            lines.append(String(format: "  other rules: steepest descent %.2e, minimum/10 %.2e", s.steepest, s.minimumOverTen))
        } else {
            lines.append("no suggestion: the loss diverged before the sweep had a curve to read; lower --start-lr")
        }
        return lines.joined(separator: "\n")
    }

    /// One row per step: step, learning_rate, loss, smoothed_loss.
    public var csv: String {
        "step,learning_rate,loss,smoothed_loss\n" + points.map {
            "\($0.step),\($0.learningRate),\($0.loss),\($0.smoothedLoss)"
        }.joined(separator: "\n") + "\n"
    }

    /// The sweep and the suggestions as JSON (`graft lr-find` writes it as lr_find.json).
    public func json() throws -> Data {
        struct File: Encodable {
            let stage: String
            let ending: String
            let seconds: Double
            let suggestions: LearningRateSuggestions?
            let points: [Point]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(File(stage: stage.rawValue, ending: ending, seconds: seconds, suggestions: suggestions, points: points))
    }
}
