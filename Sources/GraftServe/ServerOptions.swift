import GraftCore
import GraftData

/// How a server listens and what it accepts. Every limit has a bound, and `validate()` checks
/// them all before anything is loaded or bound.
public struct ServerOptions: Sendable {
    public var host: String
    /// 0 picks a free port (tests, several servers on one machine); `onListening` reports it.
    public var port: Int
    public var batching: BatchingLimits
    /// The largest request body accepted, in bytes (413 beyond it).
    public var maxBodyBytes: Int
    /// The most pixels an uploaded image may declare (400 beyond it): a decompression bomb's
    /// header is refused before any pixel is decoded.
    public var maxPixels: Int
    /// How long a connection may sit idle before it is closed, in seconds.
    public var idleTimeout: Double

    public init(host: String = "127.0.0.1", port: Int = 8080, batching: BatchingLimits = BatchingLimits(),
                maxBodyBytes: Int = 16 << 20, maxPixels: Int = 40_000_000, idleTimeout: Double = 60) {
        self.host = host
        self.port = port
        self.batching = batching
        self.maxBodyBytes = maxBodyBytes
        self.maxPixels = maxPixels
        self.idleTimeout = idleTimeout
    }

    public static let maximumBatch = 1024
    public static let maximumBodyBytes = 1 << 30

    public func validate() throws {
        guard !host.isEmpty else { throw InvalidSetting(name: "host", value: "\"\"", requirement: "an address or host name") }
        try checkSetting("port", port, in: 0...65535)
        try checkSetting("maxBatch", batching.maxBatch, in: 1...Self.maximumBatch)
        try checkSetting("maxDelay", batching.maxDelay, in: .closed(0, 10))
        try checkSetting("queueCapacity", batching.queueCapacity, in: batching.maxBatch...1_000_000)
        try checkSetting("timeout", batching.timeout, in: .above(0, upTo: 3600))
        try checkSetting("maxBodyBytes", maxBodyBytes, in: 1024...Self.maximumBodyBytes)
        try checkSetting("maxPixels", maxPixels, in: 1...DecodingOptions().pixelLimit)
        try checkSetting("idleTimeout", idleTimeout, in: .above(0, upTo: 86400))
    }

    var decoding: DecodingOptions { DecodingOptions(pixelLimit: maxPixels) }
}
