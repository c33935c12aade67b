/// The storages a pickle refers to, by key, in the order it first names them. Two references
/// to one key must agree on its type and size, or the data could be read two ways.
struct StorageTable {
    private(set) var declarations: [String: StorageReference] = [:]
    private(set) var keysInOrder: [String] = []

    mutating func declare(_ storage: StorageReference) throws {
        if let earlier = declarations[storage.key] {
            guard earlier.type == storage.type, earlier.elementCount == storage.elementCount else {
                throw InvalidPickleData("storage '\(storage.key)' is declared as \(earlier.elementCount) \(earlier.type) "
                    + "and as \(storage.elementCount) \(storage.type)")
            }
            return
        }
        declarations[storage.key] = storage
        keysInOrder.append(storage.key)
    }

    subscript(key: String) -> StorageReference? { declarations[key] }
}
