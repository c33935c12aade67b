import Foundation

/// The observers a trainer is usually given, reached by what they do: closures for a line of
/// code, and the checkpoint folder.
extension Trainer {
    /// Called after each epoch with its record and the history so far.
    public var onEpochEnd: ((EpochRecord, [EpochRecord]) throws -> Void)? {
        get { callbacks.onEpochEnd } set { callbacks.onEpochEnd = newValue }
    }
    /// Notes worth showing (feature caching, stage starts).
    public var onMessage: ((String) -> Void)? {
        get { callbacks.onMessage } set { callbacks.onMessage = newValue }
    }
    /// Called after every batch of training, validation and feature caching, for progress
    /// displays (the library draws nothing itself).
    public var onProgress: ((BatchProgress) -> Void)? {
        get { callbacks.onProgress } set { callbacks.onProgress = newValue }
    }
    /// Called when a stage has ended (after its best weights are restored) with the stage
    /// number: the moment to save the model or refresh a report.
    public var onStageEnd: ((Int) throws -> Void)? {
        get { callbacks.onStageEnd } set { callbacks.onStageEnd = newValue }
    }

    /// Where the resumable checkpoint goes after each epoch; nil writes none. Setting it installs
    /// (or replaces) a `ResumeCheckpointer` right after the observers whose state it saves.
    public var checkpointDirectory: URL? {
        get { checkpointer?.directory }
        set {
            observers.removeAll { $0 is ResumeCheckpointer }
            guard let newValue else { return }
            let position = (observers.lastIndex { $0 is BestWeights || $0 is EarlyStopping }).map { $0 + 1 } ?? 0
            observers.insert(ResumeCheckpointer(directory: newValue, bestWeights: bestWeights), at: position)
        }
    }

    var bestWeights: BestWeights? { observers.lazy.compactMap { $0 as? BestWeights }.first }
    var checkpointer: ResumeCheckpointer? { observers.lazy.compactMap { $0 as? ResumeCheckpointer }.first }
}
