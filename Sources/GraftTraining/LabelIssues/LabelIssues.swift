import Foundation
import GraftData

/// What a look at a dataset through a classifier's backbone found: training images whose given
/// label is likely wrong (confident learning on out-of-fold predictions, see `ConfidentLearning`)
/// and near-duplicate images across the training and validation sets (a leak that flatters the
/// validation metrics). `graft train` finds them after stage 1, from the cached features, and
/// writes them to label_issues.csv and the report; `find(classifier:...)` does it for any
/// classifier and dataset.
public struct LabelIssues: Sendable {
    /// A training image whose given label the out-of-fold model doubts.
    public struct MislabelledImage: Sendable, Equatable {
        public var file: URL
        /// Its index in the training set.
        public var index: Int
        public var givenLabel: Int
        public var suggestedLabel: Int
        /// Out-of-fold probabilities of the given and the suggested label.
        public var givenProbability: Double
        public var suggestedProbability: Double
        /// The ranking score: `suggestedProbability - givenProbability` (larger: more likely wrong).
        public var score: Double
        /// A small JPEG as a `data:` URI, for the first `LabelIssueOptions.shown`; else nil.
        public var thumbnail: String?
    }

    /// A training and a validation image whose backbone features are nearly the same.
    public struct NearDuplicate: Sendable, Equatable {
        public var trainingFile: URL
        public var validationFile: URL
        public var trainingIndex: Int
        public var validationIndex: Int
        public var trainingLabel: Int
        public var validationLabel: Int
        /// Cosine similarity of the two images' pooled backbone features.
        public var similarity: Double
        public var trainingThumbnail: String?
        public var validationThumbnail: String?
    }

    public var classNames: [String]
    /// Most likely wrong first.
    public var mislabelled: [MislabelledImage]
    /// Most similar first.
    public var duplicates: [NearDuplicate]
    /// Pairs at or above the threshold in all; more than `duplicates.count` only when
    /// `NearDuplicateSearch.maximumPairs` cut the list.
    public var duplicatePairsFound: Int
    /// Confident learning's per-class thresholds (mean out-of-fold probability of the class over
    /// its own images); empty when the label search did not run.
    public var thresholds: [Double]
    public var options: LabelIssueOptions
    /// The folds used (fewer than asked when the training set is smaller than `options.folds`).
    public var folds: Int
    public var trainingImages: Int
    /// nil without validation images (no duplicates to look for).
    public var validationImages: Int?
    /// Seconds spent computing backbone features for the search (0 when the run's cache served).
    public var featureSeconds: Double
    /// Seconds of the search itself: out-of-fold heads, confident learning, similarities, thumbnails.
    public var searchSeconds: Double
    /// What limited the search, in words (too few images for folds, one class, no validation set).
    public var notes: [String]

    /// "12 likely label issues, 3 near-duplicates across splits", with where they are listed.
    public func summaryLine(listedIn file: String? = nil) -> String {
        let labels = mislabelled.count == 1 ? "1 likely label issue" : "\(mislabelled.count) likely label issues"
        let pairs: String
        if validationImages == nil {
            pairs = "no validation images to look for near-duplicates in"
        } else {
            pairs = duplicatePairsFound == 1 ? "1 near-duplicate across splits" : "\(duplicatePairsFound) near-duplicates across splits"
        }
        let cost = String(format: " (%.1f s", featureSeconds + searchSeconds)
            + (featureSeconds > 0 ? String(format: ", %.1f s of it computing features", featureSeconds) : "") + ")"
        return "\(labels), \(pairs)" + (file.map { ": see \($0)" } ?? "") + cost
    }
}
