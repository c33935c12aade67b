/// A setting given a value it cannot have. It names the setting, the value and what the value
/// must be, so the message points at the culprit: "batchSize must be between 1 and 4096, not 0".
public struct InvalidSetting: Error, CustomStringConvertible, Equatable, Sendable {
    /// The setting as its owner names it (a property of an options struct).
    public let name: String
    public let value: String
    public let requirement: String

    public init(name: String, value: String, requirement: String) {
        self.name = name
        self.value = value
        self.requirement = requirement
    }

    public var description: String { "\(name) must be \(requirement), not \(value)" }

    /// The same error with settings called by other names (a command-line tool's flags for an
    /// options struct's properties), in the name and wherever the requirement mentions one.
    public func renamed(_ names: [String: String]) -> InvalidSetting {
        var requirement = self.requirement
        for (old, new) in names { requirement = requirement.replacingWholeWord(old, with: new) }
        return InvalidSetting(name: names[name] ?? name, value: value, requirement: requirement)
    }
}

extension String {
    /// Replaces `word` where it stands alone (not inside a longer identifier).
    fileprivate func replacingWholeWord(_ word: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        func isIdentifier(_ c: Character?) -> Bool { c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
        while let range = rest.range(of: word) {
            let before = range.lowerBound == rest.startIndex ? result.last : rest[rest.index(before: range.lowerBound)]
            let after = range.upperBound == rest.endIndex ? nil : rest[range.upperBound]
            result += rest[..<range.lowerBound]
            result += isIdentifier(before) || isIdentifier(after) ? word : replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
