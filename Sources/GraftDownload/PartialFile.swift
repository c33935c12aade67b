import Foundation
import GraftFiles
#if canImport(Glibc)
import Glibc
#endif

/// The `.partial` file a download appends to, held under an exclusive `flock(2)` so that two
/// processes fetching the same file do not interleave their bytes (the kernel drops the lock
/// when the holder exits, however it ends).
final class PartialFile: @unchecked Sendable {
    let url: URL
    private var fd: Int32

    init(_ url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError("write", url.path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            throw DownloadError.busy(partial: url.path)
        }
        self.url = url
        self.fd = fd
    }

    deinit { close() }

    /// Releases the file and its lock (a URLSession may keep its delegate, and with it this
    /// object, alive for a while after the transfer).
    func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    var size: Int64 {
        var status = stat()
        return fstat(fd, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// Empties the file: the next bytes are the file's first.
    func truncate() throws {
        guard ftruncate(fd, 0) == 0 else { throw FileSystemError("write", url.path) }
    }

    func append(_ data: Data) throws {
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw FileSystemError("write", url.path)
                }
                offset += written
            }
        }
    }

    func remove() { unlink(url.path) }
}
