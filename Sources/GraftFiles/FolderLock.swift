import Foundation

/// An exclusive claim on a folder for as long as one process works in it (two training runs
/// writing one output folder would mix their checkpoints and models).
///
/// The lock is `flock(2)` on `FOLDER/.graft.lock`, which also holds the holder's process id for
/// the message. The kernel releases it when the holder exits, however it ends (kill -9
/// included), so a lock left by a dead process is simply taken over.
public final class FolderLock {
    public let folder: URL
    private let fd: Int32

    public static let fileName = ".graft.lock"

    /// Creates `folder` if needed and claims it; throws `FolderLockError.held` naming the process
    /// that holds it, or a `FileSystemError` when the folder cannot be written.
    public init(_ folder: URL) throws {
        try createFolder(folder)
        let path = folder.appendingPathComponent(Self.fileName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError("write", path) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.holder(fd)
            close(fd)
            throw FolderLockError.held(folder: folder.path, processID: holder)
        }
        let pid = Data("\(getpid())\n".utf8)
        ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.folder = folder
        self.fd = fd
    }

    deinit {
        // Emptied first: a process id left in the file would name a process that no longer holds it.
        ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func holder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

public enum FolderLockError: Error, CustomStringConvertible, Equatable {
    case held(folder: String, processID: Int32?)

    public var description: String {
        switch self {
        case let .held(folder, pid):
            return "\(folder) is in use by another graft run" + (pid.map { " (process \($0))" } ?? "")
                + "; wait for it to finish, or choose another output folder"
        }
    }
}
