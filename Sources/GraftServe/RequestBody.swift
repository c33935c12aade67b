import Foundation
import Hummingbird

extension Request {
    /// The whole body, refused with 413 as soon as it is known to pass `limit` bytes.
    func collectedBody(limit: Int) async throws -> Data {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit {
            throw ServeError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await body.collect(upTo: limit)
            return Data(buffer.readableBytesView)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ServeError.bodyTooLarge(limit: limit)
        }
    }

    /// The media type of the body without its parameters, lowercased ("multipart/form-data").
    var mediaType: String? {
        headers[.contentType].map { $0.split(separator: ";").first.map(String.init) ?? $0 }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    }

    /// Refuses a body compressed in a way this server does not read, rather than misreading it.
    func requireIdentityEncoding() throws {
        if let encoding = headers[.contentEncoding], encoding.lowercased() != "identity" {
            throw ServeError.unsupportedMedia("Content-Encoding '\(encoding)' is not accepted; send the body uncompressed")
        }
    }
}

extension Router<BasicRequestContext> {
    /// A GET of a POST-only endpoint gets 405 saying so, not a 404 that suggests a wrong path.
    func refuseGet(_ path: RouterPath) {
        get(path) { request, _ -> Response in
            throw ServeError.methodNotAllowed(path: request.uri.path, method: request.method.rawValue, allowed: "POST")
        }
    }
}
