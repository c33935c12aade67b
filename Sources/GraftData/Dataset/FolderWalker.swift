import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Lists folders the way every Graft listing must, so that what a run counts is what is on disk:
///
/// - each file once, however many links or hard links reach it (a second path to a file would
///   count it twice, possibly once in training and once in validation);
/// - each folder once: a symbolic link back up (`class/loop -> ..`) is skipped, not followed
///   until the kernel's link limit;
/// - where a file or folder is reached both directly and through a link, the direct path counts,
///   so a link from one class into another never takes the other class's images;
/// - names that are not UTF-8 and files that are not regular (named pipes, sockets, devices)
///   are reported, never dropped silently and never opened.
///
/// One walker serves a whole dataset (every split), so its memory of files and folders spans
/// them. Warnings name the path at fault, escaped where the name is not UTF-8.
final class FolderWalker {
    private var pendingWarnings: [String] = []
    /// Each folder listed so far, with the path it was first reached by.
    private var folders: [FileIdentity: String] = [:]
    /// Each image file counted so far, with the path it was counted under.
    private var files: [FileIdentity: String] = [:]
    /// The folders above every listed folder (real paths): a link to one of them is a loop.
    private var ancestors: [FileIdentity: String] = [:]
    /// Each folder's subfolders once listed, so that asking again repeats no warning.
    private var subfolderListings: [String: Subfolders] = [:]

    /// The warnings gathered since the last call, in the order they arose.
    func takeWarnings() -> [String] {
        defer { pendingWarnings = [] }
        return pendingWarnings
    }

    struct Subfolders {
        /// Visible subfolders with UTF-8 names, sorted, each a folder not listed under another path.
        var names: [String] = []
        /// Paths (escaped) of subfolders whose names are not UTF-8.
        var undecodable: [String] = []
    }

    /// The visible subfolders of `folder` (classes, or splits): looping or duplicate links are
    /// left out with a warning; subfolders with names that are not UTF-8 are returned apart, for
    /// the caller to decide (a class cannot be such a folder). Listing a folder again gives the
    /// same answer.
    func subfolders(of folder: URL) throws -> Subfolders {
        if let listed = subfolderListings[folder.path] { return listed }
        try claimFolder(at: folder.path)
        var result = Subfolders()
        var found: [(name: String, status: FileStatus)] = []
        for raw in try visibleNames(in: folder.path) {
            guard let name = String(validating: raw, as: UTF8.self) else {
                if case .success(let status) = FileStatus.of(path: Array(folder.path.utf8) + [0x2F] + raw),
                   status.kind == .directory {
                    result.undecodable.append(folder.path + "/" + escapedFileName(raw))
                }
                continue
            }
            guard case .success(let status) = FileStatus.of(path: folder.appendingPathComponent(name).path),
                  status.kind == .directory else { continue }
            found.append((name, status))
        }
        for entry in Self.directFirst(found, isLink: \.status.isSymbolicLink)
        where claim(folder: folder.appendingPathComponent(entry.name).path, entry.status.identity) {
            result.names.append(entry.name)
        }
        result.names = FolderListing.sortedNames(result.names)
        subfolderListings[folder.path] = result
        return result
    }

    struct ImageFiles {
        var images: [URL] = []
        /// Files with the extension of an image format Graft cannot read (GIF, WebP, ...).
        var unsupported: [URL] = []
        /// Every other visible regular file (notes, labels, archives, ...).
        var others: [URL] = []
    }

    private struct Candidate {
        let relative: String
        let url: URL
        let identity: FileIdentity
        /// Whether a symbolic link lies on the way from the listed folder to the file.
        let throughLink: Bool
    }

    private struct PendingLink {
        let owner: Int
        let url: URL
        let prefix: String
        let identity: FileIdentity
    }

    /// The image files anywhere under each of `roots` (subfolders included, as torchvision and
    /// Keras do), each list sorted by relative path; hidden files and folders and non-image
    /// extensions are ignored. Everything is walked directly first and through links after, so
    /// a direct path always wins over a linked one. Throws when one of `roots` cannot be read; a
    /// subfolder that cannot be read is a warning.
    func imageFiles(under roots: [URL]) throws -> [ImageFiles] {
        var candidates = [[Candidate]](repeating: [], count: roots.count)
        var unsupported = [[URL]](repeating: [], count: roots.count)
        var others = [[URL]](repeating: [], count: roots.count)
        var links: [PendingLink] = []

        func walk(_ owner: Int, _ url: URL, _ prefix: String, throughLink: Bool) throws {
            for raw in try visibleNames(in: url.path) {
                guard let name = String(validating: raw, as: UTF8.self) else {
                    warn(url.path + "/" + escapedFileName(raw), "the name is not valid UTF-8; rename it to use it")
                    continue
                }
                let child = url.appendingPathComponent(name)
                let ext = (name as NSString).pathExtension.lowercased()
                let isImageName = ImageFormat.fileExtensions.contains(ext)
                let status: FileStatus
                switch FileStatus.of(path: child.path) {
                case .failure(let error):
                    if isImageName { warn(child.path, "cannot read the file (\(error.reason))") }
                    continue
                case .success(let found): status = found
                }
                switch status.kind {
                case .directory where status.isSymbolicLink:
                    links.append(PendingLink(owner: owner, url: child, prefix: prefix + name + "/", identity: status.identity))
                case .directory:
                    guard claim(folder: child.path, status.identity) else { continue }
                    do {
                        try walk(owner, child, prefix + name + "/", throughLink: throughLink)
                    } catch DatasetError.unreadableFolder(_, let reason) {
                        warn(child.path, "cannot read the folder (\(reason))")
                    }
                case .regular:
                    if isImageName {
                        candidates[owner].append(Candidate(relative: prefix + name, url: child, identity: status.identity,
                                                           throughLink: throughLink || status.isSymbolicLink))
                    } else if ImageFormat.unsupportedImageExtensions.contains(ext) {
                        unsupported[owner].append(child)
                    } else {
                        others[owner].append(child)
                    }
                case .other(let kind):
                    warn(child.path, "not a regular file but \(kind); not opened")
                }
            }
        }

        for root in roots { try claimFolder(at: root.path) }
        for (owner, root) in roots.enumerated() { try walk(owner, root, "", throughLink: false) }
        // Links to folders, once every folder reachable without one is known; links found inside
        // them join the end of the queue.
        var next = 0
        while next < links.count {
            let link = links[next]
            next += 1
            guard claim(folder: link.url.path, link.identity) else { continue }
            do {
                try walk(link.owner, link.url, link.prefix, throughLink: true)
            } catch DatasetError.unreadableFolder(_, let reason) {
                warn(link.url.path, "cannot read the folder (\(reason))")
            }
        }
        return countOnce(candidates).enumerated().map { owner, kept in
            ImageFiles(images: kept, unsupported: unsupported[owner], others: others[owner])
        }
    }

    /// Each file under the first path that reaches it, direct paths before linked ones; the
    /// others are warnings naming both paths.
    private func countOnce(_ candidates: [[Candidate]]) -> [[URL]] {
        let sorted = candidates.map { list in
            let byName = Dictionary(list.map { ($0.relative, $0) }, uniquingKeysWith: { a, _ in a })
            return FolderListing.sortedNames(list.map(\.relative)).map { byName[$0]! }
        }
        for linked in [false, true] {
            for list in sorted {
                for file in list where file.throughLink == linked && files[file.identity] == nil {
                    files[file.identity] = file.url.path
                }
            }
        }
        return sorted.map { list in
            list.compactMap { file in
                let counted = files[file.identity]!
                guard counted == file.url.path else {
                    warn(file.url.path, "the same file as \(counted) (a link or a hard link); each file is counted once")
                    return nil
                }
                return file.url
            }
        }
    }

    /// Counts a file named on its own rather than found by a walk: the path it was counted
    /// under before (through another name or link), or nil when it counts now.
    func count(file url: URL) -> String? {
        guard case .success(let status) = FileStatus.of(path: url.path) else { return nil }
        if let counted = files[status.identity], counted != url.path { return counted }
        files[status.identity] = url.path
        return nil
    }

    // MARK: - Folders seen

    /// Records the folder at `path`, where a listing starts, and the folders above it; throws
    /// when it cannot be examined at all.
    private func claimFolder(at path: String) throws {
        switch FileStatus.of(path: path) {
        case .failure(let error): throw DatasetError.unreadableFolder(path: path, reason: error.reason)
        case .success(let status):
            guard status.kind == .directory else { throw DatasetError.notAFolder(path: path) }
            folders[status.identity] = folders[status.identity] ?? path
        }
        // A link to a folder above the listing is a loop too, and following it would list the
        // neighbours of the folder asked for (a link to "../.." in a class folder of data/ would
        // take in every dataset beside data/).
        guard let real = realpath(path, nil) else { return }
        defer { free(real) }
        var above = URL(fileURLWithPath: String(cString: real))
        while above.path != "/" {
            above.deleteLastPathComponent()
            guard case .success(let status) = FileStatus.of(path: above.path) else { break }
            ancestors[status.identity] = ancestors[status.identity] ?? above.path
        }
    }

    /// Records a folder reached by `path`; false, with a warning naming the link, when the folder
    /// was reached before by another path (a loop back up, or a second way into the same folder).
    private func claim(folder path: String, _ identity: FileIdentity) -> Bool {
        guard let first = folders[identity] else {
            if let above = ancestors[identity] {
                warn(path, "a symbolic link back to \(above), a folder that holds it (a loop); not followed")
                return false
            }
            folders[identity] = path
            return true
        }
        if first == path { return true }
        if path.hasPrefix(first + "/") {
            warn(path, "a symbolic link back to \(first), a folder that holds it (a loop); not followed")
        } else {
            warn(path, "the same folder as \(first), already listed (a symbolic link); not listed again")
        }
        return false
    }

    private func warn(_ path: String, _ reason: String) {
        pendingWarnings.append("warning: skipping \(path): \(reason)")
    }

    /// Entry names that do not start with ".", sorted by their bytes so that the walk, and so
    /// which of two paths to one file counts, is the same on every run.
    private func visibleNames(in path: String) throws -> [[UInt8]] {
        try DirectoryReader.names(in: path).filter { $0.first != 0x2E }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `entries` with those that are not links first, each group in its order.
    private static func directFirst<T>(_ entries: [T], isLink: (T) -> Bool) -> [T] {
        entries.filter { !isLink($0) } + entries.filter(isLink)
    }
}
