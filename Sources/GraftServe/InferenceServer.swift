import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// An HTTP inference server over one or more models: the Open Inference Protocol under `/v2`,
/// an upload API under `/v1`, a page at `/` and Prometheus metrics at `/metrics`.
///
/// ```swift
/// let server = try InferenceServer(models: [ServedModel.trained(name: "flowers", folder: modelFolder)])
/// try await server.run { port in print("listening on \(port)") }   // until SIGTERM or SIGINT
/// ```
public final class InferenceServer: Sendable {
    public let options: ServerOptions
    public let metrics = ServerMetrics()
    private let registry: ModelRegistry
    private let logger: Logger
    private let version: String

    /// - Parameter version: reported by `GET /v2`; the tool passes its own.
    public init(models: [ServedModel], options: ServerOptions = ServerOptions(), version: String = "dev",
                logger: Logger = Logger(label: "graft.serve")) throws {
        try options.validate()
        self.options = options
        self.logger = logger
        self.version = version
        registry = try ModelRegistry(models: models, limits: options.batching, decoding: options.decoding, metrics: metrics)
    }

    public var modelNames: [String] { registry.names }

    /// Serves until one of `shutdownSignals` arrives or the calling task is cancelled; then it
    /// stops accepting connections, answers every request it accepted and returns.
    /// `onListening` gets the bound port (the one chosen when `options.port` is 0).
    public func run(shutdownSignals: [UnixSignal] = [.sigterm, .sigint],
                    onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let application = Application(
            router: makeRouter(),
            server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(options.idleTimeout * 1e9)))),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "graft"),
            services: [ReadinessOnShutdown(registry: registry)],
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        defer { registry.stop() }
        do {
            try await application.runService(gracefulShutdownSignals: shutdownSignals)
        } catch let error as IOError {
            throw ServeSetupError.cannotListen(host: options.host, port: options.port, reason: error.description)
        }
    }

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        // Middleware first: Hummingbird wraps each route in the middleware added before it.
        router.add(middleware: RequestAccountingMiddleware(metrics: metrics))
        router.add(middleware: ErrorBodyMiddleware())
        OpenInferenceRoutes(registry: registry, bodyLimit: options.maxBodyBytes, version: version).add(to: router)
        UploadRoutes(registry: registry, bodyLimit: options.maxBodyBytes).add(to: router)
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: IndexPage.html)))
        }
        router.get("/metrics") { [metrics] _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        return router
    }
}

/// Turns readiness off as soon as shutdown begins, so a load balancer stops sending work while
/// the accepted requests are answered.
private struct ReadinessOnShutdown: Service {
    let registry: ModelRegistry

    func run() async throws {
        try? await gracefulShutdown()
        registry.beginDraining()
    }
}
