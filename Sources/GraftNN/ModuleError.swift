/// A request about a module's parameters that names something the module does not have.
public enum ModuleError: Error, Equatable, CustomStringConvertible {
    /// Strict freezing or unfreezing was given key prefixes that match no parameter.
    case prefixesMatchNoParameter([String], module: String)

    public var description: String {
        switch self {
        case let .prefixesMatchNoParameter(prefixes, module):
            let quoted = prefixes.map { "'\($0)'" }.joined(separator: ", ")
            return "\(module) has no parameter under \(prefixes.count == 1 ? "the prefix" : "the prefixes") \(quoted) "
                + "(prefixes match whole dotted names: \"blocks.1\" covers \"blocks.1.weight\", not \"blocks.10.weight\")"
        }
    }
}
