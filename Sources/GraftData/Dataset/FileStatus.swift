#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one thing two paths share when they reach the same file or folder, however many links or
/// hard links lie between: its device and inode.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
}

/// What `stat` says about a path, following symbolic links, as a folder walk needs it: whether to
/// descend, to read, or to leave alone without opening (a named pipe would block the reader).
struct FileStatus: Sendable {
    enum Kind: Equatable, Sendable {
        case regular
        case directory
        /// Anything else, in words for a message: "a named pipe (FIFO)", "a socket", ...
        case other(String)
    }

    let kind: Kind
    let identity: FileIdentity
    /// Whether the path itself is a symbolic link (`lstat`), whatever it points to.
    let isSymbolicLink: Bool

    /// The status of the file at `path` (raw bytes, no terminating zero), or the reason `stat`
    /// failed (a dangling link, a permission problem, ...).
    static func of(path: [UInt8]) -> Result<FileStatus, FileStatusError> {
        (path + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cPath in
                var target = stat()
                guard stat(cPath.baseAddress!, &target) == 0 else {
                    return .failure(FileStatusError(reason: String(cString: strerror(errno))))
                }
                var link = stat()
                let isLink = lstat(cPath.baseAddress!, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK
                return .success(FileStatus(kind: kind(of: target.st_mode),
                                           identity: FileIdentity(device: UInt64(target.st_dev), inode: UInt64(target.st_ino)),
                                           isSymbolicLink: isLink))
            }
        }
    }

    static func of(path: String) -> Result<FileStatus, FileStatusError> { of(path: Array(path.utf8)) }

    private static func kind(of mode: mode_t) -> Kind {
        switch mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFIFO: return .other("a named pipe (FIFO)")
        case S_IFSOCK: return .other("a socket")
        case S_IFCHR: return .other("a character device")
        case S_IFBLK: return .other("a block device")
        default: return .other("not a file or folder")
        }
    }
}

struct FileStatusError: Error, Equatable, Sendable {
    let reason: String
}
