import Foundation

/// Replaces a folder as one unit: the new contents are written into a staging folder beside it,
/// which then takes the old one's place in a single rename, so a reader sees the complete old
/// folder or the complete new one, never a mix (a saved model's config.json beside weights that
/// do not match it). On failure the staging folder is removed and the old folder is untouched.
public enum FolderReplacement {
    /// Runs `write` with an empty staging folder, then puts it at `destination`.
    public static func replace(_ destination: URL, write: (URL) throws -> Void) throws {
        let parent = destination.deletingLastPathComponent()
        try createFolder(parent)
        removeLeftovers(of: destination)
        let staging = parent.appendingPathComponent(".\(destination.lastPathComponent).staging-\(getpid())-\(UUID().uuidString.prefix(8))")
        guard mkdir(staging.path, 0o755) == 0 else { throw FileSystemError("create the folder", staging.path) }
        do {
            try write(staging)
            try swap(staging, into: destination)
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw error
        }
    }

    /// Reads a folder that `replace` may be replacing meanwhile, so that every file read comes
    /// from one version: `read` runs again if the folder at that path was swapped while it ran.
    /// An error from a folder that stayed put is thrown as it is.
    ///
    /// The folder is held open while `read` runs: an open folder's inode cannot be freed and given
    /// to a newer version, so "the same inode before and after" really means the same folder.
    public static func readConsistently<T>(_ folder: URL, attempts: Int = 20, _ read: (URL) throws -> T) throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { return try read(folder) }
            defer { close(fd) }
            var held = stat(), now = stat()
            let result = Result { try read(folder) }
            let unchanged = fstat(fd, &held) == 0 && stat(folder.path, &now) == 0 && held.st_dev == now.st_dev && held.st_ino == now.st_ino
            if unchanged || attempt >= attempts { return try result.get() }
        }
    }

    /// What a process killed while replacing `destination` left: its staging folder, and old
    /// versions that are no longer needed once `destination` exists.
    static func removeLeftovers(of destination: URL) {
        GraftFiles.removeLeftovers(in: destination.deletingLastPathComponent(), named: ".\(destination.lastPathComponent).staging-")
        if FileManager.default.fileExists(atPath: destination.path) {
            for old in previousVersions(of: destination) { try? FileManager.default.removeItem(at: old) }
        }
    }

    /// Old versions of `destination` set aside by a two-rename swap that was cut short between its
    /// renames (a crash there leaves only these), newest first.
    public static func previousVersions(of destination: URL) -> [URL] {
        let parent = destination.deletingLastPathComponent()
        let prefix = ".\(destination.lastPathComponent).previous-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) }.map { parent.appendingPathComponent($0) }.sorted {
            modificationDate($0) > modificationDate($1)
        }
    }

    private static func modificationDate(_ url: URL) -> Date {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date) ?? .distantPast
    }

    /// Moves `staging` to `destination`, exchanging the two atomically where the kernel and
    /// file system allow (renameat2 with RENAME_EXCHANGE), else in two renames, with the old
    /// folder kept aside until the new one is in place.
    static func swap(_ staging: URL, into destination: URL) throws {
        guard FileManager.default.fileExists(atPath: destination.path) else {
            guard rename(staging.path, destination.path) == 0 else { throw FileSystemError("replace", destination.path) }
            return
        }
        if let exchange = renameExchange, exchange(AT_FDCWD, staging.path, AT_FDCWD, destination.path, renameExchangeFlag) == 0 {
            // staging now holds the old folder.
            try? FileManager.default.removeItem(at: staging)
            return
        }
        let previous = staging.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).previous-\(getpid())-\(UUID().uuidString.prefix(8))")
        guard rename(destination.path, previous.path) == 0 else { throw FileSystemError("replace", destination.path) }
        guard rename(staging.path, destination.path) == 0 else {
            let failure = FileSystemError("replace", destination.path)
            rename(previous.path, destination.path)
            throw failure
        }
        try? FileManager.default.removeItem(at: previous)
    }
}

private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
private let renameExchangeFlag: UInt32 = 1 << 1
/// glibc's renameat2, looked up at run time (Swift's Glibc module does not declare it).
private let renameExchange: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }
