import GraftCore

extension Checkpoint {
    /// A checkpoint of a model's state (`module.stateTensors()`), for example to save with
    /// `Safetensors.write`.
    public init(namedTensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                source: String = "model") {
        self.init(tensors: namedTensors.map { CheckpointTensor(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) },
                  metadata: metadata, source: source)
    }
}
