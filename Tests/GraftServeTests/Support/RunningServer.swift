import Foundation
@testable import GraftServe
import XCTest

/// An `InferenceServer` running in this process on an ephemeral loopback port, until `stop()`.
final class RunningServer: @unchecked Sendable {
    let server: InferenceServer
    let port: Int
    private let task: Task<Void, any Error>

    init(models: [ServedModel], options: ServerOptions = ServerOptions(port: 0)) throws {
        var options = options
        options.host = "127.0.0.1"
        options.port = 0
        let server = try InferenceServer(models: models, options: options)
        let listening = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var bound = 0
        task = Task {
            try await server.run(shutdownSignals: []) { port in
                bound = port
                listening.signal()
            }
        }
        guard listening.wait(timeout: .now() + 60) == .success, bound > 0 else {
            task.cancel()
            throw XCTSkip("the server did not start listening on loopback within 60 s")
        }
        self.server = server
        port = bound
        try waitUntilReady()
    }

    /// Polls readiness, as a load balancer would, until the models have warmed up.
    private func waitUntilReady() throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if (try? HTTP.get(url("/v2/health/ready")).status) == 200 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw XCTSkip("the server was not ready within 120 s")
    }

    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    /// Cancels the server's task (a graceful shutdown) and waits for it to end.
    func stop() {
        task.cancel()
        let done = DispatchSemaphore(value: 0)
        Task { [task] in
            _ = await task.result
            done.signal()
        }
        _ = done.wait(timeout: .now() + 30)
    }
}
