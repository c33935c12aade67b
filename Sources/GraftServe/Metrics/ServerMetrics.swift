import Foundation
import Prometheus

/// The server's Prometheus metrics, in a registry of its own (no process-wide metrics system),
/// so several servers in one process each report their own.
public final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    private static let requests = name("http_requests", "total", "HTTP requests answered, by route, method and status")
    private static let requestDuration = name("http_request_duration", "seconds", "Time from request to response, by route")
    private static let batchSize = name("batch_size", "images", "Images per pass of the model")
    private static let batchDuration = name("batch_duration", "seconds", "Time one pass of the model took")
    private static let imagesInferred = name("images_inferred", "total", "Images that went through the model")
    private static let queueDepth = name("queue_depth", "images", "Images waiting for a pass of the model")

    private static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "graft", metricName: metric, unitName: unit, helpText: help)
    }

    public init() {}

    /// A request answered: by route (the pattern, not the path, so model names do not multiply
    /// series), method and status.
    func requestFinished(route: String, method: String, status: Int, seconds: Double) {
        registry.makeCounter(descriptor: Self.requests, labels: [("route", route), ("method", method), ("status", String(status))])
            .increment()
        registry.makeValueHistogram(descriptor: Self.requestDuration, labels: [("route", route)], buckets: Self.latencyBuckets)
            .record(seconds)
    }

    func batchRan(model: String, size: Int, seconds: Double) {
        let labels = [("model", model)]
        registry.makeValueHistogram(descriptor: Self.batchSize, labels: labels, buckets: Self.batchBuckets).record(Double(size))
        registry.makeValueHistogram(descriptor: Self.batchDuration, labels: labels, buckets: Self.latencyBuckets).record(seconds)
        registry.makeCounter(descriptor: Self.imagesInferred, labels: labels).increment(by: Int64(size))
    }

    func queueDepthChanged(model: String, depth: Int) {
        registry.makeGauge(descriptor: Self.queueDepth, labels: [("model", model)]).set(Double(depth))
    }

    /// The text exposition format, as `GET /metrics` serves it.
    public func exposition() -> String { registry.emitToString() }
}
