import Foundation

/// Why a checkpoint could not be read, written or loaded. Every case names the file (`source`)
/// and, where there is one, the byte offset, key, storage or global at fault, so a bad file can
/// be diagnosed from the message alone.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case unreadableFile(source: String, reason: String)
    /// The file ends before something it announces (`what`) is complete.
    case truncated(source: String, offset: Int, needed: Int, available: Int, what: String)
    /// The first bytes are not those of any checkpoint format Graft reads.
    case badMagic(source: String, found: String)
    case unsupportedFormat(source: String, reason: String)
    case unknownOpcode(source: String, offset: Int, opcode: UInt8)
    /// A pickle opcode that exists but that a state dict never needs (INST, OBJ, EXT1, ...).
    case unsupportedOpcode(source: String, offset: Int, name: String)
    /// A pickle names a global outside the allow-list; it is refused, never looked up.
    case disallowedGlobal(source: String, offset: Int, global: String)
    /// The pickle is well-formed byte by byte but does not make sense (stack underflow, a missing
    /// memo entry, an argument of the wrong type, nesting too deep).
    case malformedPickle(source: String, offset: Int, reason: String)
    /// A tensor's size, stride or offset does not fit its storage.
    case invalidTensor(source: String, name: String, reason: String)
    /// A storage's declared size disagrees with the data the file holds, or its data is missing.
    case invalidStorage(source: String, key: String, reason: String)
    case unsupportedDType(source: String, name: String, dtype: String)
    case invalidSafetensorsHeader(source: String, reason: String)
    /// No dictionary of tensors where one was expected (or several, and no key to choose).
    case stateDictNotFound(source: String, reason: String)
    /// The checkpoint does not match the model: every missing, unexpected and mis-shaped key.
    case stateMismatch(StateDictMismatch)
    /// An HDF5 or .keras file that is not Keras weights as Graft reads them.
    case invalidKerasWeights(source: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidKerasWeights(let source, let reason):
            return "\(source): not Keras weights Graft can read: \(reason)"
        case .unreadableFile(let source, let reason):
            return "\(source): cannot read: \(reason)"
        case .truncated(let source, let offset, let needed, let available, let what):
            return "\(source): truncated at byte \(offset): \(what) needs \(needed) bytes, \(available) left"
        case .badMagic(let source, let found):
            return "\(source): not a PyTorch or safetensors checkpoint (starts with \(found))"
        case .unsupportedFormat(let source, let reason):
            return "\(source): unsupported checkpoint: \(reason)"
        case .unknownOpcode(let source, let offset, let opcode):
            return "\(source): unknown pickle opcode 0x\(String(opcode, radix: 16)) at byte \(offset)"
        case .unsupportedOpcode(let source, let offset, let name):
            return "\(source): pickle opcode \(name) at byte \(offset) is not allowed in a checkpoint"
        case .disallowedGlobal(let source, let offset, let global):
            return "\(source): refused pickle global '\(global)' at byte \(offset): only tensor and storage types are allowed"
        case .malformedPickle(let source, let offset, let reason):
            return "\(source): malformed pickle at byte \(offset): \(reason)"
        case .invalidTensor(let source, let name, let reason):
            return "\(source): tensor '\(name)': \(reason)"
        case .invalidStorage(let source, let key, let reason):
            return "\(source): storage '\(key)': \(reason)"
        case .unsupportedDType(let source, let name, let dtype):
            return "\(source): tensor '\(name)' has unsupported element type \(dtype)"
        case .invalidSafetensorsHeader(let source, let reason):
            return "\(source): invalid safetensors header: \(reason)"
        case .stateDictNotFound(let source, let reason):
            return "\(source): no state dict: \(reason)"
        case .stateMismatch(let mismatch):
            return mismatch.description
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}

extension CheckpointError: LocalizedError {
    public var errorDescription: String? { description }
}
