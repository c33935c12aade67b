/// A value on the unpickler's stack. Only data: there are no objects with behaviour, and the
/// only "callables" are the allow-listed globals, which the unpickler interprets itself.
enum PickleValue {
    case none
    case bool(Bool)
    case int(Int64)
    /// An integer wider than 64 bits, as pickle stores it: little-endian two's complement.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes(ArraySlice<UInt8>)
    case tuple(PickleSequence)
    case list(PickleSequence)
    case dict(PickleDictionary)
    case global(AllowedGlobal)
    case storage(StorageReference)
    case tensor(TensorReference)

    /// For error messages.
    var kind: String {
        switch self {
        case .none: return "None"
        case .bool: return "bool"
        case .int, .bigInt: return "int"
        case .float: return "float"
        case .string: return "str"
        case .bytes: return "bytes"
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .global(let global): return global.qualifiedName
        case .storage: return "storage"
        case .tensor: return "tensor"
        }
    }

    /// The elements of a tuple or a list.
    var sequenceItems: [PickleValue]? {
        switch self {
        case .tuple(let sequence), .list(let sequence): return sequence.items
        default: return nil
        }
    }
}

/// Tuples and lists are objects, not values: pickle memoizes a list and then appends to it, and
/// every later reference (BINGET) must see the appended items.
final class PickleSequence {
    var items: [PickleValue]
    init(_ items: [PickleValue]) { self.items = items }
}

/// A dict (or OrderedDict) that keeps insertion order, as Python's do, so tensors come out in
/// the order the model defined them.
final class PickleDictionary {
    private(set) var entries: [(key: PickleValue, value: PickleValue)] = []
    private var positions: [PickleKey: Int] = [:]

    /// Replaces the value of an existing key in place, as Python does; nil if the key is unhashable.
    func set(_ value: PickleValue, for key: PickleValue) -> Bool {
        guard let hashable = PickleKey(key) else { return false }
        if let position = positions[hashable] {
            entries[position].value = value
        } else {
            positions[hashable] = entries.count
            entries.append((key, value))
        }
        return true
    }

    func value(for key: String) -> PickleValue? {
        positions[.string(key)].map { entries[$0].value }
    }

    /// Drops every entry, breaking links to other containers (see `PickleArena`).
    func removeAll() {
        entries.removeAll()
        positions.removeAll()
    }
}

/// The dict keys a checkpoint can have. Python would also hash tuples; no state dict uses them.
enum PickleKey: Hashable {
    case none, bool(Bool), int(Int64), float(UInt64), string(String), bytes([UInt8])

    init?(_ value: PickleValue) {
        switch value {
        case .none: self = .none
        case .bool(let flag): self = .bool(flag)
        case .int(let number): self = .int(number)
        case .float(let number): self = .float(number.bitPattern)
        case .string(let text): self = .string(text)
        case .bytes(let data): self = .bytes(Array(data))
        default: return nil
        }
    }
}
