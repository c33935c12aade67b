import Foundation

/// Why a download did not produce its file, as a sentence that names the URL.
public enum DownloadError: Error, CustomStringConvertible, Equatable {
    /// No connection to the server (no network, DNS failure, refused, timed out before any byte).
    case cannotConnect(url: String, reason: String)
    /// The server answered with a status other than 200 or 206.
    case status(url: String, code: Int)
    /// The connection broke and resuming did not finish the file; the bytes so far are kept.
    case interrupted(url: String, have: Int64, total: Int64?, reason: String, partial: String)
    /// The whole file arrived but is not the expected one; it was removed.
    case checksum(url: String, expected: String, actual: String)
    /// Another process is downloading the same file right now.
    case busy(partial: String)

    public var description: String {
        switch self {
        case let .cannotConnect(url, reason):
            return "could not connect to fetch \(url): \(reason)"
        case let .status(url, code):
            return "\(url) answered HTTP \(code) (\(Self.statusText(code)))"
        case let .interrupted(url, have, total, reason, partial):
            let amount = total.map { "\(have) of \($0) bytes" } ?? "\(have) bytes"
            return "the download of \(url) broke off after \(amount) (\(reason)); \(partial) keeps them, "
                + "and running the same command again resumes from there"
        case let .checksum(url, expected, actual):
            return "the file from \(url) has SHA-256 \(actual), expected \(expected): it is not the expected file "
                + "(or it was corrupted on the way), so it was removed"
        case let .busy(partial):
            return "another process is downloading into \(partial); wait for it to finish"
        }
    }

    static func statusText(_ code: Int) -> String {
        switch code {
        case 401, 403: return "access denied"
        case 404, 410: return "no such file"
        case 416: return "range not satisfiable"
        case 500...599: return "server error"
        default: return "unexpected status"
        }
    }
}
