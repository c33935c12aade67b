import Hummingbird

/// A request the server could not answer, with the status the protocol gives it. Every message
/// names what was wrong (the field, the file, the limit), since it is all a client sees.
public enum ServeError: Error, Equatable, CustomStringConvertible {
    case unknownModel(String, known: [String])
    case badRequest(String)
    case unsupportedMedia(String)
    case bodyTooLarge(limit: Int)
    case queueFull(waiting: Int, capacity: Int)
    case timedOut(seconds: Double)
    case shuttingDown
    case notFound(String)
    case methodNotAllowed(path: String, method: String, allowed: String)

    public var status: HTTPResponse.Status {
        switch self {
        case .unknownModel, .notFound: return .notFound
        case .badRequest: return .badRequest
        case .unsupportedMedia: return .unsupportedMediaType
        case .bodyTooLarge: return .contentTooLarge
        case .queueFull, .shuttingDown, .timedOut: return .serviceUnavailable
        case .methodNotAllowed: return .methodNotAllowed
        }
    }

    public var description: String {
        switch self {
        case let .unknownModel(name, known):
            return "no model named '\(name)'; this server has \(known.map { "'\($0)'" }.joined(separator: ", "))"
        case let .badRequest(message), let .unsupportedMedia(message), let .notFound(message):
            return message
        case let .bodyTooLarge(limit):
            return "the request body is larger than this server's limit of \(byteCount(limit)) (--max-body-mb)"
        case let .queueFull(waiting, capacity):
            return "the server is busy: \(waiting) images are waiting, the queue holds \(capacity); retry later"
        case let .timedOut(seconds):
            return "the request waited longer than \(decimal(seconds)) s for the model; retry later"
        case .shuttingDown:
            return "the server is shutting down"
        case let .methodNotAllowed(path, method, allowed):
            return "\(path) takes \(allowed) only, not \(method)"
        }
    }
}

/// "16 MiB", "512 KiB", "100 bytes".
func byteCount(_ bytes: Int) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10 && bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
}

/// "30", "0.5": a setting as the user typed it.
func decimal(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
}
