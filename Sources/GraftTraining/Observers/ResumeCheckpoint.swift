import Foundation
import GraftCheckpoint
import GraftOptim

/// The resumable state of a run in one folder: model.safetensors (current weights),
/// best.safetensors (weights of the best epoch so far), optimizer.json (when a stage is under
/// way) and progress.json.
///
/// A new checkpoint is written to a sibling folder and swapped in by renames, so a crash while
/// writing leaves the previous one whole.
struct ResumeCheckpoint {
    let directory: URL

    private var partial: URL { directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).partial") }
    private var previous: URL { directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).previous") }

    func write(model: Checkpoint, best: Checkpoint?, optimizer: OptimizerState?, progress: TrainingProgress) throws {
        let manager = FileManager.default
        try? manager.removeItem(at: partial)
        try manager.createDirectory(at: partial, withIntermediateDirectories: true)
        try Safetensors.write(model, to: partial.appendingPathComponent("model.safetensors"))
        if let best { try Safetensors.write(best, to: partial.appendingPathComponent("best.safetensors")) }
        if let optimizer { try optimizer.write(to: partial.appendingPathComponent("optimizer.json")) }
        try writeJSON(progress, to: partial.appendingPathComponent("progress.json"))
        try? manager.removeItem(at: previous)
        if manager.fileExists(atPath: directory.path) { try manager.moveItem(at: directory, to: previous) }
        try manager.moveItem(at: partial, to: directory)
        try? manager.removeItem(at: previous)
    }

    /// The folder that holds the last complete checkpoint, if any (the previous one when a swap was cut short).
    var existing: URL? {
        for candidate in [directory, previous]
        where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("progress.json").path) {
            return candidate
        }
        return nil
    }

    func readProgress(in folder: URL) throws -> TrainingProgress {
        let url = folder.appendingPathComponent("progress.json")
        do {
            return try JSONDecoder().decode(TrainingProgress.self, from: Data(contentsOf: url))
        } catch {
            throw TrainingError.checkpointMismatch(file: url.path, reason: "\(error)")
        }
    }
}
