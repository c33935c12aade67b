/// A pickle value of the wrong kind or out of range, found while interpreting a call. The
/// unpickler adds the file and byte offset when it turns this into a `CheckpointError`.
struct InvalidPickleData: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

extension PickleValue {
    func integer(_ what: String) throws -> Int {
        guard case .int(let value) = self, let exact = Int(exactly: value) else {
            throw InvalidPickleData("\(what) must be an int, not \(kind)")
        }
        return exact
    }

    func nonNegativeInteger(_ what: String) throws -> Int {
        let value = try integer(what)
        guard value >= 0 else { throw InvalidPickleData("\(what) is negative (\(value))") }
        return value
    }

    func text(_ what: String) throws -> String {
        guard case .string(let value) = self else { throw InvalidPickleData("\(what) must be a str, not \(kind)") }
        return value
    }

    func integerTuple(_ what: String) throws -> [Int] {
        guard case .tuple(let sequence) = self else { throw InvalidPickleData("\(what) must be a tuple, not \(kind)") }
        return try sequence.items.map { try $0.integer("an element of \(what)") }
    }
}
