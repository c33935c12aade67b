import Foundation

/// Writes `data` to `url` so that readers see either the old file or the complete new one: a
/// checkpoint interrupted half-way must not replace a good one with a truncated one.
func writeAtomically(_ data: Data, to url: URL) throws {
    let directory = url.deletingLastPathComponent()
    // Same directory as the target, so that the rename stays on one file system and is atomic.
    let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw OptimizerStateFileError.cannotCreate(temporary.path)
    }
    do {
        let handle = try FileHandle(forWritingTo: temporary)
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
        // On disk before the rename makes it visible, or a crash could leave an empty file in place.
        try handle.synchronize()
        guard rename(temporary.path, url.path) == 0 else {
            throw OptimizerStateFileError.cannotRename(from: temporary.path, to: url.path,
                                                       reason: String(cString: strerror(errno)))
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        throw error
    }
}

public enum OptimizerStateFileError: Error, CustomStringConvertible {
    case cannotCreate(String)
    case cannotRename(from: String, to: String, reason: String)

    public var description: String {
        switch self {
        case .cannotCreate(let path): return "cannot create \(path)"
        case .cannotRename(let from, let to, let reason): return "cannot rename \(from) to \(to): \(reason)"
        }
    }
}
