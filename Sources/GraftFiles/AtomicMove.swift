import Foundation

/// Puts a finished file, written beside its destination (a download's `.partial` file), in place
/// under its real name: flushed to disk first, then renamed over whatever was there, so a reader
/// sees the old file, no file, or the complete new one. Both must be on one file system (rename(2)
/// is atomic only there): beside the destination, or in a scratch folder next to it.
public func moveIntoPlace(_ source: URL, to destination: URL) throws {
    let fd = open(source.path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileSystemError("read", source.path) }
    let synced = fsync(fd) == 0
    let code = errno
    close(fd)
    guard synced else { throw FileSystemError("write", source.path, errno: code) }
    guard rename(source.path, destination.path) == 0 else { throw FileSystemError("replace", destination.path) }
}
