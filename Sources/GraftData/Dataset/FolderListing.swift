import Foundation

/// Sorted, filtered directory listings: the reproducible order every run sees.
enum FolderListing {
    /// Names sorted by Unicode scalar values, the order of Python's `sorted`, so class indices
    /// agree with torchvision's ImageFolder and Keras for the same folder.
    static func sortedNames(_ names: [String]) -> [String] {
        names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    static func isFolder(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Visible subfolders of `url`, sorted.
    static func subfolders(of url: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path)
        return sortedNames(names.filter { !$0.hasPrefix(".") && isFolder(url.appendingPathComponent($0)) })
    }

    struct ImageFiles {
        var images: [URL] = []
        /// Files with the extension of an image format Graft cannot read (GIF, WebP, ...).
        var unsupported: [URL] = []
    }

    /// Image files anywhere under `folder` (subfolders included, as torchvision and Keras do),
    /// sorted by relative path; hidden files and folders and non-image extensions are ignored.
    static func imageFiles(under folder: URL) -> ImageFiles {
        var found: [(relative: String, url: URL)] = []
        var unsupported: [URL] = []
        func walk(_ url: URL, _ prefix: String) {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return }
            for name in names where !name.hasPrefix(".") {
                let child = url.appendingPathComponent(name)
                if isFolder(child) {
                    walk(child, prefix + name + "/")
                    continue
                }
                let ext = (name as NSString).pathExtension.lowercased()
                if ImageFormat.fileExtensions.contains(ext) {
                    found.append((prefix + name, child))
                } else if ImageFormat.unsupportedImageExtensions.contains(ext) {
                    unsupported.append(child)
                }
            }
        }
        walk(folder, "")
        let order = sortedNames(found.map(\.relative))
        let byName = Dictionary(found.map { ($0.relative, $0.url) }, uniquingKeysWith: { a, _ in a })
        return ImageFiles(images: order.map { byName[$0]! }, unsupported: unsupported)
    }
}
