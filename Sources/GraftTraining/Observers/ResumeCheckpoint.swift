import Foundation
import GraftCheckpoint
import GraftFiles
import GraftOptim

/// The resumable state of a run in one folder: model.safetensors (current weights),
/// best.safetensors (weights of the best epoch so far), optimizer.json (when a stage is under
/// way) and progress.json.
///
/// A new checkpoint is written to a sibling folder and swapped in as one unit, so a crash while
/// writing leaves the previous one whole.
struct ResumeCheckpoint {
    let directory: URL

    func write(model: Checkpoint, best: Checkpoint?, optimizer: OptimizerState?, progress: TrainingProgress) throws {
        try FolderReplacement.replace(directory) { staging in
            try Safetensors.write(model, to: staging.appendingPathComponent("model.safetensors"))
            if let best { try Safetensors.write(best, to: staging.appendingPathComponent("best.safetensors")) }
            if let optimizer { try optimizer.write(to: staging.appendingPathComponent("optimizer.json")) }
            try writeJSON(progress, to: staging.appendingPathComponent("progress.json"))
        }
    }

    /// The folder that holds the last complete checkpoint, if any (the previous one when a swap
    /// was cut short between its two renames).
    var existing: URL? {
        ([directory] + FolderReplacement.previousVersions(of: directory)).first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("progress.json").path)
        }
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
