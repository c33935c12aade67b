import Foundation
import GraftModels
import Hummingbird

/// A plain API for people without a client library: POST an image (or a form of several) and get
/// back what `graft predict --json` prints for it.
struct UploadRoutes {
    let registry: ModelRegistry
    let bodyLimit: Int

    func add(to router: Router<BasicRequestContext>) {
        router.get("/v1/models") { _, _ in
            try Response.json(encoding: registry.names.compactMap { registry.endpoints[$0].map(ModelSummary.init) })
        }
        router.post("/v1/models/:name/predict") { request, context in try await predict(request, context) }
        router.refuseGet("/v1/models/:name/predict")
    }

    private func predict(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let endpoint = try registry.endpoint(context.parameters.get("name") ?? "")
        let classes = endpoint.model.classNames.count
        let top = try topCount(request, classes: classes)
        try request.requireIdentityEncoding()
        let files = try await self.files(in: request)
        let logits = try await endpoint.logits(forFiles: files)
        let ranked = endpoint.model.predictions(logits: logits, top: top)
        return try .json(encoding: zip(files, ranked).map { FilePrediction(file: $0.0.name, predictions: $0.1) })
    }

    private func topCount(_ request: Request, classes: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get("top") else { return min(5, classes) }
        guard let top = Int(text), top >= 1 else {
            throw ServeError.badRequest("top must be a whole number of at least 1, not '\(text)'")
        }
        return min(top, classes)
    }

    private func files(in request: Request) async throws -> [(name: String, bytes: Data)] {
        guard let media = request.mediaType else {
            throw ServeError.unsupportedMedia("the request has no Content-Type: send an image (image/jpeg, image/png, ...) or multipart/form-data")
        }
        if media == "multipart/form-data" {
            return try MultipartFiles.files(in: await request.collectedBody(limit: bodyLimit), contentType: request.headers[.contentType] ?? "")
        }
        guard media.hasPrefix("image/") || media == "application/octet-stream" else {
            throw ServeError.unsupportedMedia("Content-Type '\(media)' is not accepted: send an image (image/jpeg, image/png, ...) or multipart/form-data")
        }
        let body = try await request.collectedBody(limit: bodyLimit)
        guard !body.isEmpty else { throw ServeError.badRequest("the request body is empty: send the image file as the body") }
        return [("upload", body)]
    }
}

/// `GET /v1/models`: what the page lists.
private struct ModelSummary: Encodable {
    let name: String
    let classes: Int
    let inputSize: [Int]
    let origin: String

    init(_ endpoint: ModelEndpoint) {
        name = endpoint.model.name
        classes = endpoint.model.classNames.count
        inputSize = Array(endpoint.model.inputShape.dropFirst())
        origin = endpoint.model.origin
    }
}
