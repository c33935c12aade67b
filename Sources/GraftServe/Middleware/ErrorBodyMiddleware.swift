import Foundation
import Hummingbird

/// Every error as the Open Inference Protocol spells it: `{"error": "..."}` with its status.
/// Hummingbird's own (no route, wrong method, a body over the limit) get the same shape.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ServeError {
            return .error(error.description, status: error.status)
        } catch let error as HTTPError {
            return .error(error.body ?? Self.message(for: error.status, request: request), status: error.status)
        } catch {
            context.logger.error("\(request.method.rawValue) \(request.uri.path): \(error)")
            return .error("internal error: \(error)", status: .internalServerError)
        }
    }

    private static func message(for status: HTTPResponse.Status, request: Request) -> String {
        switch status {
        case .notFound: return "no such endpoint: \(request.method.rawValue) \(request.uri.path)"
        case .methodNotAllowed: return "\(request.uri.path) does not take \(request.method.rawValue)"
        default: return status.reasonPhrase
        }
    }
}

extension Response {
    /// `{"error": message}`; encoding a single string cannot fail, the fallback is never expected.
    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        (try? json(encoding: ["error": message], status: status)) ?? json(Data(#"{"error": "unknown"}"#.utf8), status: status)
    }

    static func json(_ body: Data, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func json<T: Encodable>(encoding value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .json(try encoder.encode(value), status: status)
    }
}
