import Foundation
import GraftCore

/// Which columns of a label file hold what, by header name (the layout of Kaggle's CSVs and
/// fastai's `from_csv`): a file column, a label column and, optionally, a split column.
public struct LabelColumns: Sendable, Equatable {
    /// The column of image paths (relative to the data folder); nil: the first column.
    public var file: String?
    /// The column of class names; nil: the first column other than the file column (the second,
    /// usually).
    public var label: String?
    /// A column saying train, validation or test for each row; nil: none, and the validation
    /// split is held out by fraction.
    public var split: String?
    /// What separates the classes of an image in the label column (fastai's `label_delim`):
    /// set, the data is multi-label, each image of one or more classes. nil: one class per row.
    public var labelDelimiter: String?

    public init(file: String? = nil, label: String? = nil, split: String? = nil, labelDelimiter: String? = nil) {
        self.file = file
        self.label = label
        self.split = split
        self.labelDelimiter = labelDelimiter
    }

    /// The classes a label cell names: the cell itself, or with a delimiter its parts, trimmed,
    /// empty parts dropped, each once in the order first met.
    func classes(inCell cell: String) -> [String] {
        guard let labelDelimiter else { return cell.isEmpty ? [] : [cell] }
        var seen = Set<String>()
        return cell.components(separatedBy: labelDelimiter).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Throws `InvalidSetting` for an empty column name, one column named for two roles or an
    /// empty delimiter.
    public func validate() throws {
        if labelDelimiter == "" { throw InvalidSetting(name: "labelDelimiter", value: "''", requirement: "one or more characters") }
        let named = [("fileColumn", file), ("labelColumn", label), ("splitColumn", split)]
        for case let (setting, name?) in named where name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw InvalidSetting(name: setting, value: "'\(name)'", requirement: "a column name")
        }
        for (i, first) in named.enumerated() {
            for second in named[(i + 1)...] where first.1 != nil && first.1 == second.1 {
                throw InvalidSetting(name: second.0, value: "'\(second.1!)'", requirement: "a column other than \(first.0)'s")
            }
        }
    }
}
