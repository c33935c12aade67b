/// Why a server could not be set up: mistakes in what it was asked to serve or how.
public enum ServeSetupError: Error, Equatable, CustomStringConvertible {
    case badModelName(String)
    case emptyModelPath(String)
    case duplicateModelName(String)
    case noModels
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case let .badModelName(name):
            return "model name '\(name)' is not usable in a URL: use 1 to 100 letters, digits, '.', '_' or '-' (NAME=PATH sets it)"
        case let .emptyModelPath(argument):
            return "'\(argument)' names no model folder after '='"
        case let .duplicateModelName(name):
            return "two models are named '\(name)'; give one another name with NAME=PATH"
        case .noModels:
            return "nothing to serve: name a model folder, or a pretrained model with --backbone"
        case let .cannotListen(host, port, reason):
            return "cannot listen on \(host):\(port): \(reason)"
        }
    }
}
