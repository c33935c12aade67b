import Foundation

/// The reproducible order every run sees; the listing itself is `FolderWalker`'s.
enum FolderListing {
    /// Names sorted by Unicode scalar values, the order of Python's `sorted`, so class indices
    /// agree with torchvision's ImageFolder and Keras for the same folder.
    static func sortedNames(_ names: [String]) -> [String] {
        names.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    static func isFolder(_ url: URL) -> Bool {
        guard case .success(let status) = FileStatus.of(path: url.path) else { return false }
        return status.kind == .directory
    }
}
