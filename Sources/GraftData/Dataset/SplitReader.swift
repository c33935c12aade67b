import Foundation

/// Reads the class folders of a dataset's splits, verifying images and collecting warnings.
final class SplitReader {
    let options: ImageFolderOptions
    private(set) var warnings: [String] = []
    private(set) var skipped: [ImageDecodingError] = []
    /// Shared by every split, so that no file or folder is counted in two of them.
    let walker = FolderWalker()
    /// What `list` found: each split folder's class folders and each class folder's files.
    private var classFoldersBySplit: [String: [String]] = [:]
    private var filesByClassFolder: [String: FolderWalker.ImageFiles] = [:]

    init(options: ImageFolderOptions) { self.options = options }

    /// The class folders of `folder`: an error names a class folder whose name is not UTF-8 (a
    /// class left out would train a different classifier than the folder describes).
    func classFolders(of folder: URL) throws -> [String] {
        let listing = try walker.subfolders(of: folder)
        warnings += walker.takeWarnings()
        if let undecodable = listing.undecodable.first {
            throw DatasetError.undecodableClassFolderName(path: undecodable)
        }
        return listing.names
    }

    /// Lists every split at once, before any is read: a file reached from two splits (or two
    /// classes) then counts where it lies, not where a link to it happens to be met first.
    /// Class folders named in `leftOut` are not walked.
    func list(splits: [URL], leftOut: Set<String> = []) throws {
        var classFolders: [URL] = []
        for split in splits {
            let names = try self.classFolders(of: split)
            classFoldersBySplit[split.path] = names
            classFolders += names.filter { !leftOut.contains($0) }.map { split.appendingPathComponent($0) }
        }
        let files = try walker.imageFiles(under: classFolders)
        warnings += walker.takeWarnings()
        for (folder, listing) in zip(classFolders, files) { filesByClassFolder[folder.path] = listing }
    }

    /// Reads one split that `list` listed. `requireAll`: every class of the training split must
    /// have a non-empty folder here (train, validation); the test split may leave classes out.
    /// `leftOut`: class folders that are not used (not chosen), which are neither read nor errors.
    func read(_ folder: URL, classNames: [String], leftOut: Set<String> = [], splitName: String, requireAll: Bool) throws -> ImageDataset {
        guard let listed = classFoldersBySplit[folder.path] else {
            preconditionFailure("SplitReader.read(\(folder.path)) before list(splits:) listed it")
        }
        let present = Set(listed)
        if let extra = FolderListing.sortedNames(Array(present.subtracting(classNames).subtracting(leftOut))).first {
            throw DatasetError.unknownClassFolder(path: folder.appendingPathComponent(extra).path, split: splitName)
        }
        var urls: [URL] = [], labels: [Int] = []
        var unsupported: [URL] = []
        for (label, name) in classNames.enumerated() {
            let classFolder = folder.appendingPathComponent(name)
            guard present.contains(name), let files = filesByClassFolder[classFolder.path] else {
                if !requireAll { continue }
                if splitName == "validation" {
                    throw DatasetError.validationClassEmpty(path: classFolder.path, images: 0)
                }
                throw DatasetError.missingClassFolder(path: classFolder.path, split: splitName)
            }
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

        let verified = try ImageVerifier.split(urls: urls, labels: labels, classNames: classNames, options: options) {
            folder.appendingPathComponent(classNames[$0]).path
        }
        warnings += verified.warnings
        skipped += verified.skipped
        return verified.dataset
    }
}
