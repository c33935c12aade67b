import Foundation

/// One file to fetch over HTTP(S): where from, the SHA-256 it must have, and where it goes.
///
/// `run` keeps the bytes received so far in `partialFile`, beside the destination, and resumes
/// from them with a Range request (after a broken connection, in this call or a later one). The
/// file appears at `destination` only after its SHA-256 matched, by one rename: no reader ever
/// sees a partial or unverified file there. Proxies come from the usual environment variables
/// (`https_proxy`, `http_proxy`, `no_proxy`), which libcurl, under Foundation's URLSession, reads.
public struct Download: Sendable {
    public var url: URL
    /// Lowercase hex SHA-256 of the whole file.
    public var sha256: String
    public var destination: URL
    /// Seconds without a byte, connecting included, before a request gives up: a machine without
    /// network fails within this, not after minutes.
    public var idleTimeout: TimeInterval = 10
    /// How many times a request broken mid-way is resumed within one `run`; each must add bytes.
    public var resumeAttempts = 3

    public init(url: URL, sha256: String, destination: URL) {
        self.url = url
        self.sha256 = sha256.lowercased()
        self.destination = destination
    }

    /// Where the bytes received so far are kept until the hash is checked.
    public var partialFile: URL { Self.partialFile(for: destination) }

    /// The partial file a download to `destination` keeps its bytes in.
    public static func partialFile(for destination: URL) -> URL {
        destination.deletingLastPathComponent().appendingPathComponent(destination.lastPathComponent + ".partial")
    }
}

/// What a finished download did.
public struct DownloadResult: Sendable, Equatable {
    /// Size of the verified file.
    public var bytes: Int64
    /// Bytes a partial file already held when the download started and that were kept.
    public var resumedFrom: Int64
    /// Bytes received over the network by this download.
    public var transferred: Int64
    /// HTTP requests made.
    public var requests: Int
}
