/// How thoroughly dataset discovery checks each image before training starts.
public enum ImageVerification: String, Sendable {
    /// Trust the file names; a broken file fails later, in the loader.
    case none
    /// Read each header (fast; catches files that are not images, but not truncated ones).
    case header
    /// Decode every image once (catches truncated files; a few ms per photo on all cores).
    case decode
}

/// Settings for reading a dataset from folders.
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

    public init(validationFraction: Double? = nil, seed: UInt64 = 0, strict: Bool = false,
                verification: ImageVerification = .decode, decoding: DecodingOptions = DecodingOptions(),
                imbalanceWarningRatio: Double = 3) {
        self.validationFraction = validationFraction
        self.seed = seed
        self.strict = strict
        self.verification = verification
        self.decoding = decoding
        self.imbalanceWarningRatio = imbalanceWarningRatio
    }
}
