/// Everything that keeps a checkpoint from loading into a model, gathered in one error so a
/// mismatch is diagnosed at once rather than one key per attempt.
public struct StateDictMismatch: Error, Equatable, Sendable, CustomStringConvertible {
    public struct Key: Equatable, Sendable {
        public let name: String
        public let shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    public struct MisshapedKey: Equatable, Sendable {
        /// The model's name for it.
        public let name: String
        /// The checkpoint's name for it, when a renaming changed it.
        public let checkpointName: String
        public let modelShape: [Int]
        public let checkpointShape: [Int]

        public init(name: String, checkpointName: String, modelShape: [Int], checkpointShape: [Int]) {
            self.name = name
            self.checkpointName = checkpointName
            self.modelShape = modelShape
            self.checkpointShape = checkpointShape
        }
    }

    public let source: String
    /// In the model, not in the checkpoint (model names and shapes).
    public let missing: [Key]
    /// In the checkpoint, not in the model, and not skipped (checkpoint names and shapes).
    public let unexpected: [Key]
    public let misshaped: [MisshapedKey]
    /// Model names that several checkpoint keys were renamed to.
    public let duplicated: [String]

    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && misshaped.isEmpty && duplicated.isEmpty }

    public var description: String {
        var counts: [String] = []
        if !missing.isEmpty { counts.append("\(missing.count) missing") }
        if !unexpected.isEmpty { counts.append("\(unexpected.count) unexpected") }
        if !misshaped.isEmpty { counts.append("\(misshaped.count) mis-shaped") }
        if !duplicated.isEmpty { counts.append("\(duplicated.count) duplicated") }
        var lines = ["\(source) does not match the model: " + counts.joined(separator: ", ")]
        if !missing.isEmpty {
            lines.append("  missing (the model has them, the checkpoint does not):")
            lines += missing.map { "    \($0.name) \($0.shape)" }
        }
        if !unexpected.isEmpty {
            lines.append("  unexpected (the checkpoint has them, the model does not):")
            lines += unexpected.map { "    \($0.name) \($0.shape)" }
        }
        if !misshaped.isEmpty {
            lines.append("  mis-shaped:")
            lines += misshaped.map { key in
                let origin = key.checkpointName == key.name ? "" : " (checkpoint key '\(key.checkpointName)')"
                return "    \(key.name): model \(key.modelShape), checkpoint \(key.checkpointShape)\(origin)"
            }
        }
        if !duplicated.isEmpty {
            lines.append("  several checkpoint keys renamed to one model key:")
            lines += duplicated.map { "    \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}
