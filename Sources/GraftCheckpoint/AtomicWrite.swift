import Foundation

/// Writes `data` to `url` through a temporary file in the same folder and a rename, so that an
/// interrupted write never leaves a truncated checkpoint where a good one was.
func writeAtomically(_ data: Data, to url: URL) throws {
    // Same folder: rename(2) is only atomic within one file system.
    let temporary = url.deletingLastPathComponent()
        .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
    guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
        throw CheckpointError.writeFailed(path: url.path, reason: "cannot create \(temporary.path)")
    }
    do {
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            try handle.write(contentsOf: data)
            // Durable before it becomes visible, or a crash could expose an empty file under the real name.
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            throw error
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw CheckpointError.writeFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
    } catch {
        try? FileManager.default.removeItem(at: temporary)
        if let error = error as? CheckpointError { throw error }
        throw CheckpointError.writeFailed(path: url.path, reason: error.localizedDescription)
    }
}
