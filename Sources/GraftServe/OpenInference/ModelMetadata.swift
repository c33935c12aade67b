/// `GET /v2/models/{name}`: what a client needs to call the model.
struct ModelMetadata: Encodable {
    struct Tensor: Encodable {
        let name: String
        let datatype: String
        let shape: [Int]
    }

    let name: String
    let versions: [String]
    let platform: String
    let inputs: [Tensor]
    let outputs: [Tensor]

    /// The names of the tensors, as requests and responses use them.
    enum Names {
        static let input = "input"
        static let images = "images"
        static let probabilities = "probabilities"
        static let logits = "logits"
        static let labels = "labels"
    }

    init(model: ServedModel) {
        name = model.name
        versions = ["1"]
        platform = "graft"
        // -1: any batch size.
        inputs = [
            Tensor(name: Names.input, datatype: "FP32", shape: [-1] + model.inputShape),
            Tensor(name: Names.images, datatype: "BYTES", shape: [-1]),
        ]
        outputs = [
            Tensor(name: Names.probabilities, datatype: "FP32", shape: [-1, model.classNames.count]),
            Tensor(name: Names.logits, datatype: "FP32", shape: [-1, model.classNames.count]),
            Tensor(name: Names.labels, datatype: "BYTES", shape: [-1]),
        ]
    }
}

/// `GET /v2`: the server's name, version and the protocol extensions it implements.
struct ServerMetadata: Encodable {
    let name: String
    let version: String
    let extensions: [String]
}
