import Foundation
import GraftFiles
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension Download {
    /// Fetches the file into `destination` (resuming a partial file left by an earlier run),
    /// checks its SHA-256 and renames it into place. `progress` is called as bytes arrive, on
    /// another thread, and once more at the end.
    ///
    /// Throws `DownloadError` (the URL and what went wrong: no connection, an HTTP status, a
    /// broken transfer whose bytes are kept for the next run, a wrong hash whose file was
    /// removed) or `FileSystemError`.
    @discardableResult
    public func run(progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in }) throws -> DownloadResult {
        try createFolder(destination.deletingLastPathComponent())
        let partial = try PartialFile(partialFile)
        defer { partial.close() }
        do {
            return try fetch(into: partial, progress: progress)
        } catch {
            // A partial file with bytes is kept for resuming; an empty one would only be litter.
            if partial.size == 0 { partial.remove() }
            throw error
        }
    }

    private func fetch(into partial: PartialFile, progress: @escaping @Sendable (DownloadProgress) -> Void) throws -> DownloadResult {
        var kept = partial.size
        let started = Date()
        let counter = TransferCounter()
        var requests = 0
        var resumesLeft = resumeAttempts
        var startedOver = false

        while true {
            requests += 1
            let before = counter.value
            let (transfer, outcome) = try HTTPTransfer.run(url, into: partial, idleTimeout: idleTimeout) { received, total in
                let transferred = counter.add(upTo: before + received)
                progress(DownloadProgress(bytes: partial.size, total: total, transferred: transferred,
                                          seconds: Date().timeIntervalSince(started)))
            }
            if transfer.startedOver { kept = 0 }
            switch outcome {
            case .finished:
                progress(DownloadProgress(bytes: partial.size, total: partial.size, transferred: counter.value,
                                          seconds: Date().timeIntervalSince(started), isFinished: true))
                try verifyAndPlace(partial)
                return DownloadResult(bytes: partial.size, resumedFrom: kept, transferred: counter.value, requests: requests)
            case let .broken(error):
                guard transfer.received > 0, resumesLeft > 0 else { throw interrupted(partial, transfer.total, error) }
                resumesLeft -= 1
            case let .noConnection(error):
                if partial.size > 0 { throw interrupted(partial, transfer.total, error) }
                throw DownloadError.cannotConnect(url: url.absoluteString, reason: Self.reason(error))
            case .status(416) where partial.size > 0 && !startedOver, .wrongRange where !startedOver:
                // The partial file does not fit what the server has now (a replaced file, a mirror
                // with another copy): start over, once.
                try partial.truncate()
                kept = 0
                startedOver = true
            case let .status(code):
                throw DownloadError.status(url: url.absoluteString, code: code)
            case .wrongRange:
                throw DownloadError.status(url: url.absoluteString, code: 206)
            }
        }
    }

    private func interrupted(_ partial: PartialFile, _ total: Int64?, _ error: any Error) -> DownloadError {
        .interrupted(url: url.absoluteString, have: partial.size, total: total, reason: Self.reason(error), partial: partial.url.path)
    }

    private func verifyAndPlace(_ partial: PartialFile) throws {
        let actual = try sha256Hex(of: partial.url)
        guard actual == sha256 else {
            partial.remove()
            throw DownloadError.checksum(url: url.absoluteString, expected: sha256, actual: actual)
        }
        try moveIntoPlace(partial.url, to: destination)
    }

    /// URLSession's error as a short reason ("Could not connect to the server.").
    static func reason(_ error: any Error) -> String {
        guard let urlError = error as? URLError else { return "\(error)" }
        switch urlError.code {
        case .cannotFindHost, .dnsLookupFailed: return "the host name could not be resolved"
        case .cannotConnectToHost: return "the connection was refused"
        case .timedOut: return "no answer within the timeout"
        case .notConnectedToInternet: return "this machine is not connected to a network"
        case .networkConnectionLost: return "the connection was closed before the file was complete"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "the TLS connection failed (\(urlError.localizedDescription))"
        default: return urlError.localizedDescription
        }
    }
}

/// Bytes received over all requests of one download, as the progress callback sees them.
private final class TransferCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total: Int64 = 0

    var value: Int64 { lock.withLock { total } }

    /// Raises the count to `newTotal` (a request's bytes on top of the earlier requests').
    func add(upTo newTotal: Int64) -> Int64 {
        lock.withLock {
            total = max(total, newTotal)
            return total
        }
    }
}
