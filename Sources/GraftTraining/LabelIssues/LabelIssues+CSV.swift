import Foundation
import GraftFiles
import GraftModels

extension LabelIssues {
    static let csvHeader = "kind,rank,file,given_label,suggested_label,score,given_probability,suggested_probability,other_file,other_label,similarity"

    /// label_issues.csv: a header, then a row per likely label issue (`kind` label: the image,
    /// its given and suggested label, the score and both probabilities), most likely wrong
    /// first, then a row per near-duplicate pair (`kind` duplicate: the training image and its
    /// label, the validation image and its label, their cosine similarity), most similar first.
    public var csv: String {
        var lines = [Self.csvHeader]
        for (rank, issue) in mislabelled.enumerated() {
            lines.append(["label", String(rank + 1), csvField(issue.file.path), csvField(classNames[issue.givenLabel]),
                          csvField(classNames[issue.suggestedLabel]), Self.decimal(issue.score), Self.decimal(issue.givenProbability),
                          Self.decimal(issue.suggestedProbability), "", "", ""].joined(separator: ","))
        }
        for (rank, pair) in duplicates.enumerated() {
            lines.append(["duplicate", String(rank + 1), csvField(pair.trainingFile.path), csvField(classNames[pair.trainingLabel]),
                          "", "", "", "", csvField(pair.validationFile.path), csvField(classNames[pair.validationLabel]),
                          Self.decimal(pair.similarity)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `csv` to `url`, atomically.
    public func writeCSV(to url: URL) throws {
        try writeAtomically(csv, to: url)
    }

    private static func decimal(_ value: Double) -> String { String(format: "%.6f", value) }

    private func csvField(_ value: String) -> String { PredictionsFile.csvField(value) }
}
