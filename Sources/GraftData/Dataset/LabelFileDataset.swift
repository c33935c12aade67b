import Foundation

/// A dataset that a label file describes, beside `ImageFolder`: fastai's `from_csv` and the
/// layout of Kaggle's competitions. One row per image, its path relative to `root`, its label
/// and, in an optional split column, whether it is a train, validation or test image; without
/// one, validation is held out by `validationFraction` as for class folders.
///
/// Every row is checked before any image is decoded: a missing file, an empty label, an
/// unknown split or an image listed twice (by any path or link) is an error naming the line.
/// The classes are the training rows' labels, sorted (or `options.classes`, in that order).
public struct LabelFileDataset: DatasetSplits {
    public let labelFile: URL
    /// The folder the image paths are relative to.
    public let root: URL
    public let classNames: [String]
    public let train: ImageDataset
    public let validation: ImageDataset?
    public let test: ImageDataset?
    public let warnings: [String]
    public let skipped: [ImageDecodingError]
    /// Whether the file had a split column (else validation, if any, was held out by fraction).
    public let hasSplitColumn: Bool

    public var source: String { labelFile.path }

    public init(labels labelFile: URL, root: URL, columns: LabelColumns = LabelColumns(),
                options: ImageFolderOptions = ImageFolderOptions()) throws {
        guard FolderListing.isFolder(root) else { throw DatasetError.notAFolder(path: root.path) }
        if let fraction = options.validationFraction, !(fraction >= 0 && fraction < 1) {
            throw DatasetError.invalidValidationFraction(fraction)
        }
        let name = labelFile.path
        let rows = try LabelFile(url: labelFile, columns: columns).rows
        let urls = try Self.images(of: rows, root: root, labelFile: name)

        let trainLabels = FolderListing.sortedNames(Array(Set(rows.filter { $0.split == .train }.map(\.label))))
        let selection = try ClassSelection(found: trainLabels, chosen: options.classes, source: name)
        let classNames = selection.classNames
        guard classNames.count >= 2 else { throw LabelFileError.tooFewClasses(file: name, found: classNames) }
        let labelOf = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let leftOut = Set(selection.leftOut)
        var bySplit: [LabelFile.Split: (urls: [URL], labels: [Int])] = [:]
        var leftOutImages = 0
        for (row, url) in zip(rows, urls) {
            guard let label = labelOf[row.label] else {
                if leftOut.contains(row.label) || (options.classes != nil && row.split != .train) {
                    leftOutImages += 1
                    continue
                }
                throw LabelFileError.labelWithoutTrainingImages(file: name, line: row.line, label: row.label, split: row.split.rawValue)
            }
            bySplit[row.split, default: ([], [])].urls.append(url)
            bySplit[row.split, default: ([], [])].labels.append(label)
        }

        var warnings = [selection.note(images: leftOutImages)].compactMap { $0 }
        var skipped: [ImageDecodingError] = []
        func verified(_ split: LabelFile.Split) throws -> ImageDataset? {
            guard let listed = bySplit[split] else { return nil }
            let result = try ImageVerifier.split(urls: listed.urls, labels: listed.labels, classNames: classNames, options: options) {
                "\(name): class '\(classNames[$0])'"
            }
            warnings += result.warnings
            skipped += result.skipped
            return result.dataset
        }
        var train = try verified(.train) ?? ImageDataset(classNames: classNames, samples: [])
        var validation = try verified(.validation)
        let test = try verified(.test)
        if validation == nil, let fraction = options.validationFraction, fraction > 0 {
            (train, validation) = try StratifiedSplit.split(train, fraction: fraction, seed: options.seed) {
                "\(name): class '\(classNames[$0])'"
            }
        }
        warnings += closingWarnings(skipped: skipped.count, train: train, others: [validation, test],
                                    imbalanceRatio: options.imbalanceWarningRatio)
        self.labelFile = labelFile
        self.root = root
        self.classNames = classNames
        self.train = train
        self.validation = validation
        self.test = test
        self.warnings = warnings
        self.skipped = skipped
        hasSplitColumn = columns.split != nil
    }

    /// Each row's file, which must exist, be a regular file and appear once: the same file under
    /// two paths (or through a link) would count twice, perhaps once in training and once in
    /// validation.
    private static func images(of rows: [LabelFile.Row], root: URL, labelFile: String) throws -> [URL] {
        var firstLine: [FileIdentity: Int] = [:]
        return try rows.map { row in
            let url = row.path.hasPrefix("/") ? URL(fileURLWithPath: row.path) : root.appendingPathComponent(row.path)
            switch FileStatus.of(path: url.path) {
            case .failure(let error):
                throw LabelFileError.missingImage(file: labelFile, line: row.line, path: url.path, reason: error.reason)
            case .success(let status):
                switch status.kind {
                case .regular: break
                case .directory: throw LabelFileError.notARegularFile(file: labelFile, line: row.line, path: url.path, kind: "a folder")
                case .other(let kind): throw LabelFileError.notARegularFile(file: labelFile, line: row.line, path: url.path, kind: kind)
                }
                if let first = firstLine[status.identity] {
                    throw LabelFileError.duplicate(file: labelFile, line: row.line, path: row.path, firstLine: first)
                }
                firstLine[status.identity] = row.line
            }
            return url
        }
    }

    public var summary: String {
        splitsSummary(heading: "\(labelFile.path): \(classNames.count) classes, images in \(root.path)")
    }

    /// The test rows, else the validation rows of a split column, else (with a warning) every
    /// row: a fraction held out by chance is not the one training held out.
    public var evaluationSplit: (name: String, images: ImageDataset, warning: String?) {
        if let test { return ("test", test, nil) }
        if hasSplitColumn, let validation { return ("validation", validation, nil) }
        let all = ImageDataset(classNames: classNames, samples: train.samples + (validation?.samples ?? []))
        return ("all rows", all, "warning: \(labelFile.path) has no test or validation rows, so every image is scored; "
                    + "images the model was trained on make the numbers look better than they are")
    }
}
