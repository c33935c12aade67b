import Foundation

/// A file-system operation that failed, as a sentence that names the path and the system's
/// reason ("cannot write runs/a/model/config.json: Read-only file system"), instead of a
/// Foundation error dump.
public struct FileSystemError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was attempted: "write", "create the folder", "replace", ...
    public let action: String
    public let path: String
    public let reason: String

    public init(_ action: String, _ path: String, reason: String) {
        self.action = action
        self.path = path
        self.reason = reason
    }

    /// The failure of the system call that just set `errno`.
    public init(_ action: String, _ path: String, errno code: Int32 = errno) {
        self.init(action, path, reason: String(cString: strerror(code)))
    }

    /// A Foundation error, with the POSIX reason underneath it where there is one.
    public init(_ action: String, _ path: String, error: Error) {
        let nsError = error as NSError
        if let posix = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            self.init(action, path, errno: Int32(posix.code))
        } else if nsError.domain == NSPOSIXErrorDomain {
            self.init(action, path, errno: Int32(nsError.code))
        } else if let fileSystemError = error as? FileSystemError {
            self = fileSystemError
        } else if nsError.domain == NSCocoaErrorDomain, let code = Self.posixCodes[nsError.code] {
            self.init(action, path, errno: code)
        } else {
            self.init(action, path, reason: nsError.localizedFailureReason ?? nsError.localizedDescription)
        }
    }

    public var description: String { "cannot \(action) \(path): \(reason)" }

    /// Foundation's file error codes that stand for a POSIX error (Foundation does not always
    /// keep the underlying one).
    private static let posixCodes: [Int: Int32] = [
        4: ENOENT, 260: ENOENT,  // NSFileNoSuchFileError, NSFileReadNoSuchFileError
        257: EACCES, 513: EACCES,  // NSFileReadNoPermissionError, NSFileWriteNoPermissionError
        516: EEXIST,  // NSFileWriteFileExistsError
        640: ENOSPC,  // NSFileWriteOutOfSpaceError
        642: EROFS,  // NSFileWriteVolumeReadOnlyError
    ]
}
