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
        }
    }
}
