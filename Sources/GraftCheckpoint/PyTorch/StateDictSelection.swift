/// Finds the state dict in what a checkpoint's pickle holds: the top-level dict itself, or a
/// dict of tensors inside it (`{"state_dict": ..., "epoch": 3}`), or the entry the caller names.
enum StateDictSelection {
    typealias NamedTensors = [(name: String, tensor: TensorReference)]

    /// Keys that training scripts commonly wrap a state dict in, best first; used only when
    /// several entries hold tensors (a model and its moving average, say).
    static let conventionalKeys = ["state_dict", "model_state_dict", "model", "net", "module"]

    static func select(from root: PickleValue, key: String?, source: String) throws -> NamedTensors {
        guard case .dict(let top) = root else {
            throw CheckpointError.stateDictNotFound(source: source, reason: "the file holds a \(root.kind), not a dict")
        }
        if let key {
            guard let entry = top.value(for: key) else {
                throw CheckpointError.stateDictNotFound(
                    source: source, reason: "no key '\(key)'; the file has \(describeKeys(top))")
            }
            guard case .dict(let chosen) = entry else {
                throw CheckpointError.stateDictNotFound(source: source, reason: "'\(key)' holds a \(entry.kind), not a dict")
            }
            let found = try tensors(in: chosen, source: source)
            guard !found.isEmpty || chosen.entries.isEmpty else {
                throw CheckpointError.stateDictNotFound(source: source, reason: "'\(key)' holds no tensors; it has \(describeKeys(chosen))")
            }
            return found
        }

        let direct = try tensors(in: top, source: source)
        if !direct.isEmpty || top.entries.isEmpty { return direct }

        var candidates: [(key: String, tensors: NamedTensors)] = []
        for (entryKey, value) in top.entries {
            guard case .string(let name) = entryKey, case .dict(let inner) = value else { continue }
            let found = try tensors(in: inner, source: source)
            if !found.isEmpty { candidates.append((name, found)) }
        }
        if candidates.count == 1 { return candidates[0].tensors }
        for preferred in conventionalKeys {
            if let match = candidates.first(where: { $0.key == preferred }) { return match.tensors }
        }
        let reason = candidates.isEmpty
            ? "no dict of tensors; the file has \(describeKeys(top))"
            : "several dicts of tensors (\(candidates.map { "'\($0.key)'" }.joined(separator: ", "))); name one"
        throw CheckpointError.stateDictNotFound(source: source, reason: reason)
    }

    /// The tensor entries of a dict, in order. Other entries (an epoch number, a config) are not
    /// weights and are passed over; a tensor under a key that is not a string is an error.
    private static func tensors(in dictionary: PickleDictionary, source: String) throws -> NamedTensors {
        var result: NamedTensors = []
        for (key, value) in dictionary.entries {
            guard case .tensor(let tensor) = value else { continue }
            guard case .string(let name) = key else {
                throw CheckpointError.stateDictNotFound(source: source, reason: "a tensor is stored under a \(key.kind) key")
            }
            result.append((name, tensor))
        }
        return result
    }

    private static func describeKeys(_ dictionary: PickleDictionary) -> String {
        let names = dictionary.entries.compactMap { entry -> String? in
            if case .string(let name) = entry.key { return "'\(name)'" }
            return nil
        }
        guard !names.isEmpty else { return "no string keys" }
        let shown = names.prefix(12).joined(separator: ", ")
        return "keys " + shown + (names.count > 12 ? ", ... (\(names.count) in all)" : "")
    }
}
