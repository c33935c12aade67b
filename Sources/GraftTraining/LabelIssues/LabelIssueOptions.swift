import GraftCore

/// What the search for label issues and near-duplicates (`LabelIssues`) does after stage 1.
public struct LabelIssueOptions: Sendable, Equatable {
    /// Whether a training run looks for them (on by default: on cached features it costs seconds).
    public var enabled = true
    /// The folds of the out-of-fold predictions: each training image is scored by a head that
    /// never saw it, trained on the other folds.
    public var folds = 5
    /// Epochs of each fold's head; nil: the run's stage-1 epochs (5 when stage 1 has none).
    public var foldEpochs: Int?
    /// A training and a validation image whose backbone features have at least this cosine
    /// similarity are reported as near-duplicates. 0.97 pairs an image with a resized or
    /// re-encoded copy of itself while leaving distinct photos of one class apart.
    public var duplicateThreshold: Double = 0.97
    /// How many of each kind the report shows with thumbnails (label_issues.csv lists them all).
    public var shown = 12

    public static let maximumFolds = 50
    public static let maximumShown = 1000

    public init() {}

    /// Throws `InvalidSetting` naming the first setting out of range.
    public func validate() throws {
        try checkSetting("labelIssues.folds", folds, in: 2...Self.maximumFolds)
        if let foldEpochs { try checkSetting("labelIssues.foldEpochs", foldEpochs, in: 1...TrainingOptions.maximumEpochs) }
        try checkSetting("labelIssues.duplicateThreshold", duplicateThreshold, in: .above(0, upTo: 1))
        try checkSetting("labelIssues.shown", shown, in: 0...Self.maximumShown)
    }
}
