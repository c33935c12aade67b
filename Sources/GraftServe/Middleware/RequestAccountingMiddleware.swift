import Foundation
import Hummingbird
import Logging

/// One log line and one metrics record per request: method, path, status and latency.
struct RequestAccountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // ErrorBodyMiddleware turns every error into a response; what reaches here is a bug,
            // still counted and logged.
            record(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: started)
            throw error
        }
        record(request, context: context, status: response.status.code, since: started)
        return response
    }

    private func record(_ request: Request, context: Context, status: Int, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        metrics.requestFinished(route: context.endpointPath ?? "unknown", method: request.method.rawValue, status: status, seconds: seconds)
        context.logger.info("\(request.method.rawValue) \(request.uri.path) \(status) \(String(format: "%.1f", seconds * 1000)) ms")
    }
}
