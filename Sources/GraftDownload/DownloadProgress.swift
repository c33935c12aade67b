import Foundation

/// Where a download stands, reported as bytes arrive.
public struct DownloadProgress: Sendable, Equatable {
    /// Bytes of the file held so far (resumed ones included).
    public var bytes: Int64
    /// The file's size, when the server said it.
    public var total: Int64?
    /// Bytes received over the network since the download started.
    public var transferred: Int64
    /// Seconds since the download started.
    public var seconds: Double
    public var isFinished: Bool

    public init(bytes: Int64, total: Int64?, transferred: Int64, seconds: Double, isFinished: Bool = false) {
        self.bytes = bytes
        self.total = total
        self.transferred = transferred
        self.seconds = seconds
        self.isFinished = isFinished
    }

    public var bytesPerSecond: Double? { seconds > 0 ? Double(transferred) / seconds : nil }

    /// Seconds left at the rate so far; nil while the size or the rate is unknown.
    public var secondsRemaining: Double? {
        guard let total, let rate = bytesPerSecond, rate > 0 else { return nil }
        return Double(max(total - bytes, 0)) / rate
    }

    /// One line for a terminal of `width` columns:
    /// `resnet50-0676ba61.pth [=======>      ] 45.1/97.8 MB  11.9 MB/s  ETA 4s`.
    public func line(label: String, width: Int) -> String {
        var amounts = total.map { "\(Self.megabytes(bytes))/\(Self.megabytes($0)) MB" } ?? "\(Self.megabytes(bytes)) MB"
        if let rate = bytesPerSecond { amounts += "  \(Self.megabytes(Int64(rate))) MB/s" }
        if isFinished {
            amounts += "  done"
        } else if let eta = secondsRemaining {
            amounts += "  ETA \(Self.duration(eta))"
        }
        let barWidth = width - label.count - amounts.count - 5
        guard barWidth >= 10, let total, total > 0 else { return String("\(label) \(amounts)".prefix(max(width - 1, 0))) }
        let filled = Int(Double(barWidth) * min(Double(bytes) / Double(total), 1))
        let bar = String(repeating: "=", count: filled) + (filled < barWidth ? ">" : "")
        return "\(label) [\(bar.padding(toLength: barWidth, withPad: " ", startingAt: 0))] \(amounts)"
    }

    /// Bytes as decimal megabytes with one decimal ("97.8").
    public static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1_000_000) }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        return s < 60 ? "\(s)s" : s < 3600 ? "\(s / 60)m\(String(format: "%02d", s % 60))s" : "\(s / 3600)h\(String(format: "%02d", s % 3600 / 60))m"
    }
}
