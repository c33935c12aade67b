import Foundation

/// The one way Graft writes a file: into a temporary file beside it, flushed to disk, then
/// renamed over the old one, so that a reader (or a run that crashed half-way) sees the old file
/// or the complete new one, never a truncated one. Failures are `FileSystemError` sentences,
/// and the temporary file does not stay behind.
public func writeAtomically(_ data: Data, to url: URL) throws {
    // Same folder: rename(2) is only atomic within one file system. The writer's process id in
    // the name lets a later write remove what a killed writer left.
    let prefix = ".\(url.lastPathComponent).partial-"
    removeLeftovers(in: url.deletingLastPathComponent(), named: prefix)
    let temporary = url.deletingLastPathComponent().appendingPathComponent("\(prefix)\(getpid())-\(UUID().uuidString.prefix(8))")
    let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FileSystemError("write", url.path) }
    var failure: FileSystemError?
    data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                failure = FileSystemError("write", url.path)
                return
            }
            offset += written
        }
    }
    // Durable before it becomes visible, or a crash could expose an empty file under the real name.
    if failure == nil && fsync(fd) != 0 { failure = FileSystemError("write", url.path) }
    if close(fd) != 0 && failure == nil { failure = FileSystemError("write", url.path) }
    if failure == nil && rename(temporary.path, url.path) != 0 { failure = FileSystemError("write", url.path) }
    if let failure {
        unlink(temporary.path)
        throw failure
    }
}

/// Text as UTF-8, atomically.
public func writeAtomically(_ text: String, to url: URL) throws {
    try writeAtomically(Data(text.utf8), to: url)
}

/// Creates `url` and any missing parents; an existing folder is fine, anything else in the way
/// is a `FileSystemError` naming the path.
public func createFolder(_ url: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw FileSystemError("create the folder", url.path, reason: "a file of that name exists") }
        return
    }
    let parent = url.deletingLastPathComponent()
    if parent.path != url.path { try createFolder(parent) }
    guard mkdir(url.path, 0o755) == 0 || errno == EEXIST else { throw FileSystemError("create the folder", url.path) }
}

/// Removes the entries of `folder` named `prefix` + a process id + "-..." whose process has
/// died: the temporary files and staging folders of writers killed before they could clean up.
/// A live writer's are left alone.
func removeLeftovers(in folder: URL, named prefix: String) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for name in names where name.hasPrefix(prefix) {
        guard let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }), pid > 0, kill(pid, 0) != 0, errno == ESRCH else {
            continue
        }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }
}
