import Foundation

/// A dataset that a label file describes, beside `ImageFolder`: fastai's `from_csv` and the
/// layout of Kaggle's competitions. One row per image, its path relative to `root`, its label
/// and, in an optional split column, whether it is a train, validation or test image; without
/// one, validation is held out by `validationFraction` as for class folders.
///
/// Every row is checked before any image is decoded: a missing file, an empty label, an
/// unknown split or an image listed twice (by any path or link) is an error naming the line.
/// The classes are the training rows' labels, sorted (or `options.classes`, in that order).
/// With `columns.labelDelimiter` a label cell names several classes ("cat dog") and the data is
/// multi-label; an image whose every class is left out by `options.classes` is left out.
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

        let trainClasses = rows.filter { $0.split == .train }.flatMap(\.classes)
        let trainLabels = FolderListing.sortedNames(Array(Set(trainClasses)))
        let selection = try ClassSelection(found: trainLabels, chosen: options.classes, source: name)
        let classNames = selection.classNames
        guard classNames.count >= 2 else { throw LabelFileError.tooFewClasses(file: name, found: classNames) }
        let labelOf = Dictionary(uniqueKeysWithValues: classNames.enumerated().map { ($1, $0) })
        let leftOut = Set(selection.leftOut)
        let isMultiLabel = columns.labelDelimiter != nil
        let trainingCounts = trainClasses.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        var bySplit: [LabelFile.Split: [LabeledImage]] = [:]
        var leftOutImages = 0
        for (row, url) in zip(rows, urls) {
            var labels: [Int] = []
            for named in row.classes {
                if let label = labelOf[named] {
                    labels.append(label)
                } else if !(leftOut.contains(named) || (options.classes != nil && row.split != .train)) {
                    throw LabelFileError.labelWithoutTrainingImages(file: name, line: row.line, label: named, split: row.split.rawValue)
                }
            }
            guard !labels.isEmpty else {
                leftOutImages += 1
                continue
            }
            // A multi-label image is stratified by its rarest class, so rare classes reach validation.
            let rarest = labels.min { (trainingCounts[classNames[$0]] ?? 0, $0) < (trainingCounts[classNames[$1]] ?? 0, $1) }
            bySplit[row.split, default: []].append(isMultiLabel ? LabeledImage(url: url, labels: labels, primary: rarest)
                                                                : LabeledImage(url: url, label: labels[0]))
        }

        var warnings = [selection.note(images: leftOutImages)].compactMap { $0 }
        var skipped: [ImageDecodingError] = []
        func verified(_ split: LabelFile.Split) throws -> ImageDataset? {
            guard let listed = bySplit[split] else { return nil }
            let result = try ImageVerifier.split(listed, classNames: classNames, isMultiLabel: isMultiLabel, options: options) {
                "\(name): class '\(classNames[$0])'"
            }
            warnings += result.warnings
            skipped += result.skipped
            return result.dataset
        }
        var train = try verified(.train) ?? ImageDataset(classNames: classNames, samples: [], isMultiLabel: isMultiLabel)
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
        let all = ImageDataset(classNames: classNames, samples: train.samples + (validation?.samples ?? []), isMultiLabel: train.isMultiLabel)
        return ("all rows", all, "warning: \(labelFile.path) has no test or validation rows, so every image is scored; "
                    + "images the model was trained on make the numbers look better than they are")
    }
}
