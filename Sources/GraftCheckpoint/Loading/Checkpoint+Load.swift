import GraftCore

/// What a successful `load(into:)` did.
public struct LoadReport: Sendable, Equatable {
    /// Model keys whose values were assigned, in model order.
    public let loaded: [String]
    /// Checkpoint keys left out on purpose: under a skipped prefix, or integer bookkeeping
    /// (`num_batches_tracked`) that the model does not keep.
    public let skipped: [String]
}

extension Checkpoint {
    /// Copies the checkpoint into a model's tensors (`module.stateTensors()`), by a strict match
    /// of names and shapes.
    ///
    /// - Every model key must be in the checkpoint with the same shape (a scalar [] fits [1]), and every checkpoint key
    ///   must be in the model, except keys under `skippingPrefixes` (on either side: a new head
    ///   replaces the checkpoint's, "classifier.") and integer tensors the model does not have.
    /// - `renamingKeys` maps a checkpoint key to the model's name for it ("module.x" -> "x").
    /// - On any mismatch nothing is assigned, and one `CheckpointError.stateMismatch` lists every
    ///   missing, unexpected and mis-shaped key with its shapes.
    /// - A tensor holding NaN or an infinity is refused (`CheckpointError.invalidTensor` naming it),
    ///   and then nothing is assigned either.
    @discardableResult
    public func load(into model: [(name: String, tensor: Tensor)], skippingPrefixes: [String] = [],
                     renamingKeys rename: ((String) -> String)? = nil) throws -> LoadReport {
        func isSkipped(_ name: String) -> Bool { skippingPrefixes.contains { name.hasPrefix($0) } }

        var skipped: [String] = []
        // Checkpoint tensors under the model's names, in checkpoint order.
        var offered: [(name: String, tensor: CheckpointTensor)] = []
        var offeredByName: [String: CheckpointTensor] = [:]
        var duplicated: [String] = []
        for tensor in tensors {
            let modelName = rename?(tensor.name) ?? tensor.name
            if isSkipped(tensor.name) || isSkipped(modelName) {
                skipped.append(tensor.name)
            } else if offeredByName.updateValue(tensor, forKey: modelName) != nil {
                duplicated.append(modelName)
            } else {
                offered.append((modelName, tensor))
            }
        }

        var matched: [(tensor: Tensor, values: CheckpointTensor)] = []
        var missing: [StateDictMismatch.Key] = []
        var misshaped: [StateDictMismatch.MisshapedKey] = []
        var wanted = Set<String>()
        for (name, tensor) in model where !isSkipped(name) {
            precondition(wanted.insert(name).inserted, "the model lists '\(name)' twice")
            guard let found = offeredByName[name] else {
                missing.append(.init(name: name, shape: tensor.shape))
                continue
            }
            if Self.shape(found.shape, fits: tensor.shape) {
                matched.append((tensor, found))
            } else {
                misshaped.append(.init(name: name, checkpointName: found.name,
                                       modelShape: tensor.shape, checkpointShape: found.shape))
            }
        }

        var unexpected: [StateDictMismatch.Key] = []
        for (name, tensor) in offered where !wanted.contains(name) {
            if tensor.isFloatingPoint {
                unexpected.append(.init(name: tensor.name, shape: tensor.shape))
            } else {
                skipped.append(tensor.name)
            }
        }

        let mismatch = StateDictMismatch(source: source, missing: missing, unexpected: unexpected,
                                         misshaped: misshaped, duplicated: duplicated)
        guard mismatch.isEmpty else { throw CheckpointError.stateMismatch(mismatch) }
        // NaN or infinite weights give garbage predictions, or train a useless model, silently.
        let floats = matched.map(\.values.floatValues)
        for ((_, stored), values) in zip(matched, floats) {
            guard let first = values.firstIndex(where: { !$0.isFinite }) else { continue }
            let count = values.lazy.filter { !$0.isFinite }.count
            throw CheckpointError.invalidTensor(source: source, name: stored.name,
                                                reason: "\(count) of its \(values.count) values are not finite (\(values[first]) at element \(first))")
        }
        for ((tensor, _), values) in zip(matched, floats) { tensor.assign(values) }
        return LoadReport(loaded: model.map(\.name).filter { !isSkipped($0) }, skipped: skipped)
    }

    /// Equal shapes; or a PyTorch scalar (shape []) into a one-element tensor of shape [1], since
    /// Graft's tensors have at least one dimension.
    static func shape(_ stored: [Int], fits modelShape: [Int]) -> Bool {
        stored == modelShape || (stored.isEmpty && modelShape == [1])
    }
}
