import Foundation

/// A dataset read from folders, the equivalent of Keras' `image_dataset_from_directory` and
/// torchvision's `ImageFolder`. Two layouts are recognised:
///
///     root/<class>/<image>                          (validation held out by fraction, if asked)
///     root/train/<class>/<image>, root/validation/<class>/<image>, root/test/<class>/<image>
///
/// Discovery never prints: warnings (one line per skipped image, a summary, class imbalance)
/// are collected in `warnings` for the caller to show.
public struct ImageFolder: DatasetSplits {
    public enum Layout: String, Sendable {
        case classFolders = "root/<class>"
        case splitFolders = "root/train|validation|test/<class>"
    }

    public let root: URL
    public let layout: Layout
    /// Sorted class folder names; a label is an index into this list.
    public let classNames: [String]
    public let train: ImageDataset
    public let validation: ImageDataset?
    public let test: ImageDataset?
    /// Human-readable warnings, one per line, in a reproducible order.
    public let warnings: [String]
    /// Images left out because they could not be decoded.
    public let skipped: [ImageDecodingError]

    static let trainNames = ["train", "training"]
    static let validationNames = ["validation", "val", "valid"]
    static let testNames = ["test", "testing"]

    public var source: String { root.path }

    public init(root: URL, options: ImageFolderOptions = ImageFolderOptions()) throws {
        guard FolderListing.isFolder(root) else { throw DatasetError.notAFolder(path: root.path) }
        if let fraction = options.validationFraction, !(fraction >= 0 && fraction < 1) {
            throw DatasetError.invalidValidationFraction(fraction)
        }
        // 0 holds nothing out: every image trains, as with no fraction at all.
        let validationFraction = options.validationFraction.flatMap { $0 > 0 ? $0 : nil }
        let reader = SplitReader(options: options)
        let topLevel = try reader.walker.subfolders(of: root)
        func split(_ names: [String]) -> URL? {
            topLevel.names.first { names.contains($0.lowercased()) }.map { root.appendingPathComponent($0) }
        }
        var warnings: [String] = []
        var skipped: [ImageDecodingError] = []
        let trainFolder = split(Self.trainNames)

        if let trainFolder {
            layout = .splitFolders
            let splits = [trainFolder, split(Self.validationNames), split(Self.testNames)].compactMap { $0 }
            let selection = try ClassSelection(found: try reader.classFolders(of: trainFolder), chosen: options.classes,
                                               source: trainFolder.path)
            let classNames = selection.classNames, leftOut = Set(selection.leftOut)
            try reader.list(splits: splits, leftOut: leftOut)
            guard classNames.count >= 2 else { throw DatasetError.tooFewClasses(root: trainFolder.path, found: classNames) }
            var train = try reader.read(trainFolder, classNames: classNames, leftOut: leftOut, splitName: "train", requireAll: true)
            var validation: ImageDataset?
            if let folder = split(Self.validationNames) {
                validation = try reader.read(folder, classNames: classNames, leftOut: leftOut, splitName: "validation", requireAll: true)
            }
            let test = try split(Self.testNames).map {
                try reader.read($0, classNames: classNames, leftOut: leftOut, splitName: "test", requireAll: false)
            }
            warnings += [selection.note()].compactMap { $0 }
            if validation == nil, let fraction = validationFraction {
                (train, validation) = try StratifiedSplit.split(train, fraction: fraction, seed: options.seed) {
                    trainFolder.appendingPathComponent(classNames[$0]).path
                }
            }
            self.classNames = classNames
            self.train = train
            self.validation = validation
            self.test = test
        } else {
            layout = .classFolders
            let selection = try ClassSelection(found: try reader.classFolders(of: root), chosen: options.classes, source: root.path)
            let classNames = selection.classNames, leftOut = Set(selection.leftOut)
            try reader.list(splits: [root], leftOut: leftOut)
            guard classNames.count >= 2 else { throw DatasetError.tooFewClasses(root: root.path, found: classNames) }
            var train = try reader.read(root, classNames: classNames, leftOut: leftOut, splitName: "train", requireAll: true)
            warnings += [selection.note()].compactMap { $0 }
            var validation: ImageDataset?
            if let fraction = validationFraction {
                (train, validation) = try StratifiedSplit.split(train, fraction: fraction, seed: options.seed) {
                    root.appendingPathComponent(classNames[$0]).path
                }
            }
            self.classNames = classNames
            self.train = train
            self.validation = validation
            self.test = nil
        }
        warnings += reader.warnings + reader.walker.takeWarnings()
        skipped += reader.skipped
        warnings += closingWarnings(skipped: skipped.count, train: train, others: [validation, test],
                                    imbalanceRatio: options.imbalanceWarningRatio)
        self.root = root
        self.warnings = warnings
        self.skipped = skipped
    }

    /// A few lines describing the splits and the class counts, for the CLI to print.
    public var summary: String {
        splitsSummary(heading: "\(root.path): \(classNames.count) classes, layout \(layout.rawValue)")
    }
}
