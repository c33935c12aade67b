import Foundation
import GraftModels
import HTTPTypes
import Hummingbird

/// The Open Inference Protocol's REST endpoints (KServe v2; Triton's HTTP API), with Triton's
/// binary tensor and classification extensions, so `tritonclient[http]` works unchanged.
struct OpenInferenceRoutes {
    let registry: ModelRegistry
    let bodyLimit: Int
    let version: String

    static let headerLengthField = HTTPField.Name("Inference-Header-Content-Length")!

    func add(to router: Router<BasicRequestContext>) {
        router.get("/v2/health/live") { _, _ in try Response.json(encoding: ["live": true]) }
        router.get("/v2/health/ready") { _, _ in
            try Response.json(encoding: ["ready": registry.isReady], status: registry.isReady ? .ok : .serviceUnavailable)
        }
        router.get("/v2") { _, _ in
            try Response.json(encoding: ServerMetadata(name: "graft", version: version, extensions: ["binary_tensor_data", "classification"]))
        }
        router.get("/v2/models/:name") { _, context in try metadata(context) }
        router.get("/v2/models/:name/versions/:version") { _, context in try metadata(context) }
        router.get("/v2/models/:name/ready") { _, context in try readiness(context) }
        router.get("/v2/models/:name/versions/:version/ready") { _, context in try readiness(context) }
        for path in ["/v2/models/:name/infer", "/v2/models/:name/versions/:version/infer"] {
            router.post(RouterPath(path)) { request, context in try await infer(request, context) }
            router.refuseGet(RouterPath(path))
        }
    }

    private func endpoint(_ context: BasicRequestContext) throws -> ModelEndpoint {
        let endpoint = try registry.endpoint(context.parameters.get("name") ?? "")
        if let version = context.parameters.get("version"), version != "1" {
            throw ServeError.notFound("model '\(endpoint.model.name)' has only version 1, not '\(version)'")
        }
        return endpoint
    }

    private func metadata(_ context: BasicRequestContext) throws -> Response {
        try Response.json(encoding: ModelMetadata(model: endpoint(context).model))
    }

    private func readiness(_ context: BasicRequestContext) throws -> Response {
        let endpoint = try endpoint(context)
        let ready = registry.isReady(endpoint.model.name)
        return try Response.json(encoding: ModelReadiness(name: endpoint.model.name, ready: ready), status: ready ? .ok : .serviceUnavailable)
    }

    private func infer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let endpoint = try endpoint(context)
        try request.requireIdentityEncoding()
        let headerLength = try request.headers[Self.headerLengthField].map { text in
            guard let length = Int(text) else { throw ServeError.badRequest("Inference-Header-Content-Length '\(text)' is not a number") }
            return length
        }
        let parsed = try InferRequest(body: await request.collectedBody(limit: bodyLimit), headerLength: headerLength)
        let outputs = try OutputSelection(parsed)
        let logits = try await run(parsed, on: endpoint)
        let response = InferResponse(modelName: endpoint.model.name, id: parsed.id,
                                     outputs: outputs.tensors(logits: logits, probabilities: endpoint.probabilities(logits),
                                                              classNames: endpoint.model.classNames))
        let (body, length) = try response.encoded()
        guard let length else { return .json(body) }
        return Response(status: .ok, headers: [.contentType: "application/octet-stream", Self.headerLengthField: String(length)],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func run(_ request: InferRequest, on endpoint: ModelEndpoint) async throws -> InferenceOutput {
        guard request.inputs.count == 1 else {
            throw ServeError.badRequest("the request has \(request.inputs.count) inputs; give one: FP32 \"\(ModelMetadata.Names.input)\" or BYTES \"\(ModelMetadata.Names.images)\"")
        }
        let input = request.inputs[0]
        switch (input.name, input.content) {
        case (ModelMetadata.Names.input, .floats(let values)):
            return try await endpoint.logits(forTensor: InferenceBatch(shape: input.shape, values: values), field: "inputs[0]")
        case (ModelMetadata.Names.images, .bytes(let files)):
            guard input.shape.count == 1 || (input.shape.count == 2 && input.shape[1] == 1) else {
                throw ServeError.badRequest("inputs[0].shape is \(input.shape); BYTES \"\(ModelMetadata.Names.images)\" takes [N], one encoded image file per element")
            }
            return try await endpoint.logits(forFiles: files.enumerated().map { ("images[\($0.offset)]", $0.element) })
        case (ModelMetadata.Names.input, _), (ModelMetadata.Names.images, _):
            let wanted = input.name == ModelMetadata.Names.input ? "FP32" : "BYTES"
            throw ServeError.badRequest("inputs[0].datatype is \(input.datatype), but \"\(input.name)\" takes \(wanted)")
        default:
            throw ServeError.badRequest("inputs[0].name '\(input.name)' is not an input of this model: give FP32 \"\(ModelMetadata.Names.input)\" or BYTES \"\(ModelMetadata.Names.images)\"")
        }
    }
}

private struct ModelReadiness: Encodable {
    let name: String
    let ready: Bool
}
