import Foundation
import GraftCore

/// How thoroughly dataset discovery checks each image before training starts.
public enum ImageVerification: String, Sendable {
    /// Trust the file names; a broken file fails later, in the loader.
    case none
    /// Read each header (fast; catches files that are not images, but not truncated ones).
    case header
    /// Decode every image once (catches truncated files; a few ms per photo on all cores).
    case decode
}

/// Settings for reading a dataset, from class folders (`ImageFolder`) or a label file
/// (`LabelFileDataset`).
public struct ImageFolderOptions: Sendable {
    /// Fraction of each class held out for validation when the folder has no validation split.
    /// nil or 0 keeps every image for training (and `validation` nil).
    public var validationFraction: Double?
    /// Seeds the stratified validation split.
    public var seed: UInt64
    /// Whether an unreadable image is an error rather than a skipped file with a warning.
    public var strict: Bool
    public var verification: ImageVerification
    public var decoding: DecodingOptions
    /// A largest-to-smallest class ratio above this draws a warning.
    public var imbalanceWarningRatio: Double
    /// The classes to use, in label order (Keras' `class_names`); the data's other classes are
    /// left out. nil: every class, sorted.
    public var classes: [String]?

    public init(validationFraction: Double? = nil, seed: UInt64 = 0, strict: Bool = false,
                verification: ImageVerification = .decode, decoding: DecodingOptions = DecodingOptions(),
                imbalanceWarningRatio: Double = 3, classes: [String]? = nil) {
        self.validationFraction = validationFraction
        self.seed = seed
        self.strict = strict
        self.verification = verification
        self.decoding = decoding
        self.imbalanceWarningRatio = imbalanceWarningRatio
        self.classes = classes
    }

    /// Throws `InvalidSetting` naming the first setting that cannot work.
    public func validate() throws {
        if let validationFraction { try checkSetting("validationFraction", validationFraction, in: .from(0, below: 1)) }
        try checkSetting("imbalanceWarningRatio", imbalanceWarningRatio, in: .closed(1, 1e9))
        if let classes {
            let list = "'\(classes.joined(separator: ","))'"
            if let empty = classes.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw InvalidSetting(name: "classes", value: list, requirement: "class names, but name \(empty + 1) is empty")
            }
            if let repeated = classes.enumerated().first(where: { classes[..<$0.offset].contains($0.element) })?.element {
                throw InvalidSetting(name: "classes", value: list, requirement: "distinct names, but '\(repeated)' comes twice")
            }
            if classes.count < 2 {
                throw InvalidSetting(name: "classes", value: list, requirement: "at least two class names")
            }
        }
    }
}
