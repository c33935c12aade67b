import Foundation
import GraftFiles

/// One epoch of training, as history.json and history.csv list it.
public struct EpochRecord: Codable, Equatable, Sendable {
    /// 1-based, counted over the whole run.
    public var epoch: Int
    /// 1 (head) or 2 (fine-tuning).
    public var stage: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double?
    public var validationAccuracy: Double?
    /// For multi-label data: the validation set's mean average precision (the accuracies are
    /// then exact-match ratios).
    public var validationMeanAveragePrecision: Double?
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    public var seconds: Double
    public var imagesPerSecond: Double
    /// Whether the head trained on cached backbone features.
    public var cachedFeatures: Bool

    enum CodingKeys: String, CodingKey {
        case epoch, stage, loss, accuracy, seconds
        case validationLoss = "val_loss", validationAccuracy = "val_accuracy", learningRate = "lr"
        case validationMeanAveragePrecision = "val_map"
        case imagesPerSecond = "images_per_second", cachedFeatures = "cached_features"
    }

    /// A line for logs and terminals, 80 columns at most for typical values.
    public var summaryLine: String { summaryLine(width: 80) }

    /// The epoch in `width` columns: the longest of these forms that fits, with the same numbers
    /// in each (loss and accuracy as training/validation in the shorter ones):
    ///
    ///     stage 1 epoch 3: loss 0.4123 acc 0.8700 | val loss 0.4500 acc 0.8500 | lr 1.0e-03 | 512 img/s | 2.1 s
    ///     stage 1 epoch 3: loss 0.4123/0.4500 acc 0.8700/0.8500 lr 1.0e-03 512 img/s 2.1 s
    ///     stage 1 epoch 3: loss 0.4123/0.4500 acc 0.8700/0.8500 lr 1.0e-03 9512/s 2.1s
    ///
    /// ("cached" after the time when the head trained on cached features, where it fits; for
    /// multi-label data the validation mAP after the validation accuracy), and
    /// where none fits, the last on two lines, the second indented.
    public func summaryLine(width: Int) -> String {
        let head = String(format: "stage %d epoch %d:", stage, epoch)
        let rate = String(format: " lr %.1e", learningRate)
        var full = head + String(format: " loss %.4f acc %.4f", loss, accuracy)
        let metrics: String
        if let validationLoss, let validationAccuracy {
            let map = validationMeanAveragePrecision.map { String(format: " mAP %.4f", $0) } ?? ""
            full += String(format: " | val loss %.4f acc %.4f", validationLoss, validationAccuracy) + map
            metrics = String(format: " loss %.4f/%.4f acc %.4f/%.4f", loss, validationLoss, accuracy, validationAccuracy) + map
        } else {
            metrics = String(format: " loss %.4f acc %.4f", loss, accuracy)
        }
        full += String(format: " | lr %.1e | %.0f img/s%@ | %.1f s", learningRate, imagesPerSecond,
                       cachedFeatures ? " (cached features)" : "", seconds)
        let cached = cachedFeatures ? " cached" : ""
        let speed = String(format: " %.0f img/s %.1f s", imagesPerSecond, seconds)
        let tightSpeed = String(format: " %.0f/s %.1fs", imagesPerSecond, seconds)
        let candidates = [full, head + metrics + rate + speed + cached, head + metrics + rate + tightSpeed + cached,
                          head + metrics + rate + tightSpeed]
        if let fitting = candidates.first(where: { $0.count <= width }) { return fitting }
        return head + metrics + "\n " + rate + tightSpeed + cached
    }
}

/// The per-epoch records of a run, written as JSON and CSV.
public enum TrainingHistory {
    public static func writeJSON(_ records: [EpochRecord], to url: URL) throws {
        try GraftTraining.writeJSON(records, to: url)
    }

    public static func csv(_ records: [EpochRecord]) -> String {
        func field(_ value: Double?) -> String { value.map { String($0) } ?? "" }
        // Multi-label runs add their validation mAP; the others keep the columns they always had.
        let withMAP = records.contains { $0.validationMeanAveragePrecision != nil }
        let header = "epoch,stage,loss,accuracy,val_loss,val_accuracy,lr,seconds" + (withMAP ? ",val_map" : "")
        let rows = records.map { r in
            ([String(r.epoch), String(r.stage), field(r.loss), field(r.accuracy), field(r.validationLoss),
              field(r.validationAccuracy), field(r.learningRate), field(r.seconds)]
             + (withMAP ? [field(r.validationMeanAveragePrecision)] : [])).joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    public static func writeCSV(_ records: [EpochRecord], to url: URL) throws {
        try writeAtomically(csv(records), to: url)
    }
}
