/// What ranks the epochs of a run, for the kept weights, early stopping and reduce-on-plateau:
/// Keras' `monitor=` (with its `mode`: the loss is minimized, the accuracy and mAP maximized).
/// Without a validation set, the training loss or accuracy stands in; without a validation
/// mAP (single-label data), the validation accuracy.
public enum Monitor: String, CaseIterable, Sendable {
    case validationLoss = "val-loss"
    case validationAccuracy = "val-accuracy"
    /// Multi-label data's validation mean average precision.
    case validationMeanAveragePrecision = "val-map"

    /// The epoch's value as a score where lower is better (the accuracy negated), so that an
    /// improvement is always a strictly lower score and a tie keeps the earlier epoch.
    public func score(_ record: EpochRecord) -> Double {
        switch self {
        case .validationLoss: return record.validationLoss ?? record.loss
        case .validationAccuracy: return -(record.validationAccuracy ?? record.accuracy)
        case .validationMeanAveragePrecision:
            return -(record.validationMeanAveragePrecision ?? record.validationAccuracy ?? record.accuracy)
        }
    }

    /// "validation loss", for messages and the report.
    var quantity: String {
        switch self {
        case .validationLoss: return "validation loss"
        case .validationAccuracy: return "validation accuracy"
        case .validationMeanAveragePrecision: return "validation mAP"
        }
    }

    /// What an improvement is: "a lower validation loss".
    var improvement: String { self == .validationLoss ? "a lower validation loss" : "a higher \(quantity)" }
}
