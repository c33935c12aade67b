import ArgumentParser
import Foundation
import Graft

/// What `train` and `evaluate` share about where the labelled images come from: DATA's class
/// folders, or a label file over DATA.
struct DataSourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A CSV (or .tsv) label file: a row per image with its path relative to DATA and its label (Kaggle's and fastai's from_csv layout); DATA's class folders are then not used.",
                               valueName: "file"))
    var labels: String?
    @Option(help: "--labels: the column of image paths (default: the first).") var fileColumn: String?
    @Option(help: "--labels: the column of labels (default: the first other than the file column).") var labelColumn: String?
    @Option(help: "--labels: a column saying train, validation (or valid, val) or test for each row (default: none; validation is held out by fraction).")
    var splitColumn: String?
    @Option(help: ArgumentHelp("--labels: multi-label data, each label cell naming its image's classes separated by this (fastai's label_delim; e.g. ' ' or ';').",
                               valueName: "text"))
    var labelDelimiter: String?

    static let flags = ["fileColumn": "--file-column", "labelColumn": "--label-column", "splitColumn": "--split-column",
                        "labelDelimiter": "--label-delimiter"]

    var columns: LabelColumns { LabelColumns(file: fileColumn, label: labelColumn, split: splitColumn, labelDelimiter: labelDelimiter) }

    func validate() throws {
        if labels == nil, let flag = [("--file-column", fileColumn), ("--label-column", labelColumn), ("--split-column", splitColumn)]
            .first(where: { $0.1 != nil })?.0 {
            throw ValidationError("\(flag) names a column of the label file: give --labels FILE as well")
        }
        if labels == nil, labelDelimiter != nil {
            throw ValidationError("--label-delimiter splits the label file's label cells: give --labels FILE as well")
        }
        if labels?.isEmpty == true { throw ValidationError("--labels must name a file, not an empty string") }
        try renamingSettings(Self.flags) { try columns.validate() }
    }

    /// The dataset at `data`, read with `options`; `delimiter` is the label delimiter when
    /// none was given (a multi-label model's, for evaluation). In a data-parallel job, rank 0
    /// reads it and sends the file list to the others.
    func dataset(at data: String, options: ImageFolderOptions, delimiter: String? = nil,
                 workers: (any WorkerGroup)?) throws -> any DatasetSplits {
        let scan = { try dataset(at: data, options: options, delimiter: delimiter) }
        return try workers.map { try $0.scanOnce(scan) } ?? scan()
    }

    private func dataset(at data: String, options: ImageFolderOptions, delimiter: String?) throws -> any DatasetSplits {
        let root = URL(fileURLWithPath: data)
        guard let labels else { return try ImageFolder(root: root, options: options) }
        var columns = columns
        if columns.labelDelimiter == nil { columns.labelDelimiter = delimiter }
        return try LabelFileDataset(labels: URL(fileURLWithPath: labels), root: root, columns: columns, options: options)
    }
}
