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

    public init(file: String? = nil, label: String? = nil, split: String? = nil) {
        self.file = file
        self.label = label
        self.split = split
    }

    /// Throws `InvalidSetting` for an empty column name or one column named for two roles.
    public func validate() throws {
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
