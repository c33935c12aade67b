import Foundation

/// Where a run stands after a completed epoch: what a resumed run needs besides the weights
/// and the optimizer state.
struct TrainingProgress: Codable, Equatable {
    /// The stage to run next (1 or 2); 3 when both are done.
    var stage: Int
    /// Epochs of `stage` already done.
    var completedEpochsInStage: Int
    var history: [EpochRecord]
    /// The lowest selection loss seen and the history index of its epoch.
    var bestLoss: Double?
    var bestRecord: Int?
    var epochsWithoutImprovement: Int
    /// The seed, so resuming with another one is caught.
    var seed: UInt64
    /// The run's settings as the report describes them, so resuming with other ones is caught
    /// (absent in checkpoints written before they were recorded).
    var settings: [TrainingReport.Entry]?

    enum CodingKeys: String, CodingKey {
        case stage, history, seed, settings
        case completedEpochsInStage = "completed_epochs_in_stage", bestLoss = "best_loss", bestRecord = "best_record"
        case epochsWithoutImprovement = "epochs_without_improvement"
    }
}
