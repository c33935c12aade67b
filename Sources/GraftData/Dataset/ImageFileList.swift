import Foundation

/// The image files that paths name, the way `graft predict` and `graft classify` take them: a file
/// stands for itself (so a file that is not an image gets an error of its own), a folder for every
/// image below it (JPEG, PNG, WebP, GIF, TIFF, BMP), sorted by relative path as a dataset's listing is. Each file is listed
/// once, and folders are walked as datasets are: links back up skipped, pipes never opened, names
/// that are not UTF-8 reported.
public struct ImageFileList: Sendable {
    public struct Entry: Sendable, Equatable {
        /// The path as given, or for a file found in a folder, the folder as given joined with the
        /// file's path inside it ("photos/" + "cats/1.jpg").
        public let path: String
        public let url: URL
    }

    public private(set) var entries: [Entry] = []
    /// What was left out and why, one line each, for the user to read (a command's standard error).
    public private(set) var notes: [String] = []

    public init(paths: [String]) {
        let walker = FolderWalker()
        var listed = Set<String>()
        func add(_ entry: Entry) {
            guard listed.insert(entry.url.path).inserted else {
                notes.append("warning: skipping \(entry.path): already listed")
                return
            }
            if let counted = walker.count(file: entry.url) {
                notes.append("warning: skipping \(entry.path): the same file as \(counted) (a link or a hard link), already listed")
                return
            }
            entries.append(entry)
        }
        for path in paths {
            let url = URL(fileURLWithPath: path)
            guard FolderListing.isFolder(url) else {
                add(Entry(path: path, url: url))
                continue
            }
            let files: FolderWalker.ImageFiles
            do {
                files = try walker.imageFiles(under: [url])[0]
            } catch {
                notes.append("warning: skipping \(path): \(error)")
                continue
            }
            notes += walker.takeWarnings()
            let relative = { (file: URL) in String(file.path.dropFirst(url.path.count + 1)) }
            let leftOut = FolderListing.sortedNames((files.unsupported + files.others).map(relative))
            if !leftOut.isEmpty {
                let shown = leftOut.prefix(5).joined(separator: ", ") + (leftOut.count > 5 ? ", ... (\(leftOut.count - 5) more)" : "")
                notes.append("\(path): skipped \(leftOut.count) file\(leftOut.count == 1 ? "" : "s") not named as \(ImageFormat.readableList) images: \(shown)")
            }
            if files.images.isEmpty { notes.append("warning: \(path): no \(ImageFormat.readableList) images in this folder") }
            let base = path.hasSuffix("/") ? path : path + "/"
            for image in files.images { add(Entry(path: base + relative(image), url: image)) }
        }
    }
}
