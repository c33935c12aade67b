import Foundation

/// A labelled dataset divided into a training split and, optionally, validation and test
/// splits, whatever it was read from: class folders (`ImageFolder`) or a label file
/// (`LabelFileDataset`). What training and evaluation take.
public protocol DatasetSplits: Sendable {
    /// Where the data was read from, for messages and reports.
    var source: String { get }
    /// Index = label, in every split.
    var classNames: [String] { get }
    var train: ImageDataset { get }
    var validation: ImageDataset? { get }
    var test: ImageDataset? { get }
    /// Human-readable warnings, one per line, in a reproducible order.
    var warnings: [String] { get }
    /// Images left out because they could not be decoded.
    var skipped: [ImageDecodingError] { get }
    /// A few lines describing the splits and the class counts, for a command to print.
    var summary: String { get }
    /// The split a trained model is scored on, its name, and a warning when it is not held out.
    var evaluationSplit: (name: String, images: ImageDataset, warning: String?) { get }
}

extension DatasetSplits {
    /// `heading`, each split's size, and a line per class with its count in each split.
    func splitsSummary(heading: String) -> String {
        var lines = [heading]
        let splits: [(String, ImageDataset?)] = [("train", train), ("validation", validation), ("test", test)]
        for (name, dataset) in splits {
            guard let dataset else { continue }
            lines.append("  \(name): \(dataset.count) images")
        }
        let width = classNames.map(\.count).max() ?? 0
        let validationCounts = validation?.classCounts
        let testCounts = test?.classCounts
        for (label, name) in classNames.enumerated() {
            var line = "    " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  train \(train.classCounts[label])"
            if let validationCounts { line += "  validation \(validationCounts[label])" }
            if let testCounts { line += "  test \(testCounts[label])" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

/// The warnings a dataset's discovery ends with, whatever it read: how many images were skipped
/// as undecodable, then any class imbalance of the training split.
func closingWarnings(skipped: Int, train: ImageDataset, others: [ImageDataset?], imbalanceRatio: Double) -> [String] {
    var warnings: [String] = []
    if skipped > 0 {
        let total = skipped + train.count + others.reduce(0) { $0 + ($1?.count ?? 0) }
        warnings.append("skipped \(skipped) of \(total) images that could not be decoded")
    }
    return warnings + ClassBalance.warnings(for: train, ratio: imbalanceRatio)
}
