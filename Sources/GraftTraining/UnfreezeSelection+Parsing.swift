import Foundation
import GraftCore

extension UnfreezeSelection {
    /// Reads the forms a command line or a configuration file gives: "3" (the last three block
    /// groups), "all", "from:12" (Keras' `layers[12:]`, counting block groups), or block names
    /// as `ImageClassifier.summary()` shows them ("blocks.15,head"). Throws `InvalidSetting`
    /// (named "unfreeze") for anything else.
    public init(parsing text: String) throws {
        if text == "all" {
            self = .all
        } else if let n = Int(text) {
            guard n >= 0 else { throw InvalidSetting(name: "unfreeze", value: text, requirement: "a block count of at least 0") }
            self = .lastBlocks(n)
        } else if text.hasPrefix("from:") {
            guard let index = Int(text.dropFirst(5)), index >= 0 else {
                throw InvalidSetting(name: "unfreeze", value: "'\(text)'", requirement: "from:K with a block index K >= 0")
            }
            self = .fromBlockIndex(index)
        } else {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
                throw InvalidSetting(name: "unfreeze", value: "'\(text)'", requirement: "a number, 'all', 'from:K' or block names")
            }
            self = .blocks(names)
        }
    }
}
