import Foundation

public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(stage: Int, epoch: Int, batch: Int, value: Float, lastCheckpoint: URL?)
    case interrupted(completedEpochs: Int, checkpoint: URL?)
    case noTrainingImages
    case invalidClassWeights(count: Int, classes: Int)
    case checkpointMismatch(file: String, reason: String)
    case nothingToResume(directory: String)
    /// Data-parallel workers that do not hold the same `what` as worker 0.
    case workersDisagree(what: String, ranks: [Int], size: Int)
    /// Data-parallel workers that cannot see some of the image files worker 0 listed: for each,
    /// its rank, how many are missing and the first of them.
    case workersMissFiles(listed: Int, size: Int, missing: [(rank: Int, count: Int, first: String)])
    /// Worker 0 failed to read the data; it reports why, the others stop with this.
    case leaderCouldNotReadData(size: Int)

    public var description: String {
        switch self {
        case let .nonFiniteLoss(stage, epoch, batch, value, checkpoint):
            return "training stopped: the loss became \(value) in stage \(stage), epoch \(epoch), batch \(batch + 1); "
                + "try a lower learning rate or gradient clipping. "
                + (checkpoint.map { "The last good state is in \($0.path)." } ?? "No checkpoint was written.")
        case let .interrupted(completed, checkpoint):
            return "training interrupted after \(completed) complete epoch(s); "
                + (checkpoint.map { "resume from \($0.path) with --resume" } ?? "no checkpoint was written")
        case .noTrainingImages: return "the training set has no images"
        case let .invalidClassWeights(count, classes): return "\(count) class weights given for \(classes) classes"
        case let .checkpointMismatch(file, reason): return "cannot resume from \(file): \(reason)"
        case let .nothingToResume(directory):
            return "nothing to resume: \(directory) holds no checkpoint; run without --resume to start training"
        case let .workersDisagree(what, ranks, size):
            return "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) of \(size) \(ranks.count == 1 ? "does" : "do") not "
                + "hold the same \(what) as rank 0: every rank must read the same data folder and the same weights "
                + "(on several machines: the same paths, or a shared file system)"
        case let .workersMissFiles(listed, size, missing):
            return missing.map { "rank \($0.rank) of \(size) cannot find \($0.count) of the \(listed) images rank 0 listed (the first: \($0.first))" }
                .joined(separator: "; ") + ": every machine needs the data at the same path as rank 0, or a shared file system"
        case let .leaderCouldNotReadData(size):
            return "rank 0 of \(size) could not read the data, so the job stops (rank 0 says why)"
        }
    }
}
