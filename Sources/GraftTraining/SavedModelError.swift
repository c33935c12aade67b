/// Why a saved model could not be read or written.
public enum SavedModelError: Error, Equatable, CustomStringConvertible {
    case missingFile(path: String)
    case unreadable(file: String, reason: String)
    case invalidValue(file: String, key: String, value: String)
    /// A value of the right type but outside what it may be.
    case outOfRange(file: String, key: String, value: String, requirement: String)

    public var description: String {
        switch self {
        case let .missingFile(path): return "\(path) does not exist; a saved model folder holds config.json and model.safetensors"
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .invalidValue(file, key, value): return "\(file): invalid value \(value) for '\(key)'"
        case let .outOfRange(file, key, value, requirement): return "\(file): '\(key)' is \(value); it must be \(requirement)"
        }
    }
}
