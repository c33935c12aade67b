import Foundation

/// Reads the class folders of one split, verifying images and collecting warnings.
final class SplitReader {
    let options: ImageFolderOptions
    private(set) var warnings: [String] = []
    private(set) var skipped: [ImageDecodingError] = []

    init(options: ImageFolderOptions) { self.options = options }

    /// `requireAll`: every class of the training split must have a non-empty folder here
    /// (train, validation); the test split may leave classes out.
    func read(_ folder: URL, classNames: [String], splitName: String, requireAll: Bool) throws -> ImageDataset {
        let present = Set(try FolderListing.subfolders(of: folder))
        if let extra = FolderListing.sortedNames(Array(present.subtracting(classNames))).first {
            throw DatasetError.unknownClassFolder(path: folder.appendingPathComponent(extra).path, split: splitName)
        }
        var urls: [URL] = [], labels: [Int] = []
        var unsupported: [URL] = []
        for (label, name) in classNames.enumerated() {
            let classFolder = folder.appendingPathComponent(name)
            guard present.contains(name) else {
                if !requireAll { continue }
                if splitName == "validation" {
                    throw DatasetError.validationClassEmpty(path: classFolder.path, images: 0)
                }
                throw DatasetError.missingClassFolder(path: classFolder.path, split: splitName)
            }
            let files = FolderListing.imageFiles(under: classFolder)
            unsupported += files.unsupported
            if files.images.isEmpty {
                if splitName == "validation" { throw DatasetError.validationClassEmpty(path: classFolder.path, images: 0) }
                throw DatasetError.emptyClassFolder(path: classFolder.path)
            }
            urls += files.images
            labels += Array(repeating: label, count: files.images.count)
        }
        if !unsupported.isEmpty {
            let kinds = Set(unsupported.map { "." + $0.pathExtension.lowercased() }).sorted().joined(separator: ", ")
            warnings.append("\(folder.path): ignored \(unsupported.count) file(s) in formats Graft cannot decode (\(kinds)); "
                + "convert them to JPEG or PNG")
        }

        let failures = ImageVerifier.failures(of: urls, verification: options.verification, options: options.decoding)
        if options.strict, !failures.isEmpty {
            let ordered = failures.keys.sorted().map { failures[$0]!.description }
            throw DatasetError.unreadableImages(count: failures.count, first: Array(ordered.prefix(10)))
        }
        var samples: [LabeledImage] = []
        var skippedPerClass = [Int](repeating: 0, count: classNames.count)
        for i in urls.indices {
            if let failure = failures[i] {
                warnings.append("warning: skipping \(failure.description)")
                skipped.append(failure)
                skippedPerClass[labels[i]] += 1
            } else {
                samples.append(LabeledImage(url: urls[i], label: labels[i]))
            }
        }
        let dataset = ImageDataset(classNames: classNames, samples: samples)
        for (label, count) in dataset.classCounts.enumerated() where count == 0 && skippedPerClass[label] > 0 {
            throw DatasetError.noUsableImages(classFolder: folder.appendingPathComponent(classNames[label]).path,
                                              skipped: skippedPerClass[label])
        }
        return dataset
    }
}
