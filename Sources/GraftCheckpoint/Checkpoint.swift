/// The tensors of a checkpoint, in file order, with their names as the source framework wrote
/// them ("features.0.0.weight"). Reading a file gives one; `load(into:)` puts it into a model.
public struct Checkpoint: Sendable {
    /// Where the tensors came from (a path), for error messages.
    public let source: String
    public let tensors: [CheckpointTensor]
    /// safetensors' `__metadata__`; empty for PyTorch files.
    public let metadata: [String: String]
    private let indexByName: [String: Int]

    /// Names must be unique: a checkpoint is a mapping.
    public init(tensors: [CheckpointTensor], metadata: [String: String] = [:], source: String = "checkpoint") {
        var index: [String: Int] = [:]
        for (position, tensor) in tensors.enumerated() {
            precondition(index.updateValue(position, forKey: tensor.name) == nil, "duplicate tensor name '\(tensor.name)'")
        }
        self.source = source
        self.tensors = tensors
        self.metadata = metadata
        indexByName = index
    }

    public var names: [String] { tensors.map(\.name) }

    public subscript(name: String) -> CheckpointTensor? {
        indexByName[name].map { tensors[$0] }
    }
}
