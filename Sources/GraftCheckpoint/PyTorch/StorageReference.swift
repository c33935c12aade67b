/// A storage as a pickle refers to it by persistent id: the key of its data in the file, its
/// element type and its claimed length. The claim is checked against the data later.
struct StorageReference: Equatable {
    let key: String
    let type: ElementType
    /// Elements of the whole storage, as declared.
    let elementCount: Int
    /// Old legacy files can point into part of a storage (a "view"); otherwise the whole of it.
    let viewOffset: Int
    let viewCount: Int

    /// A whole storage.
    init(key: String, type: ElementType, elementCount: Int) {
        self.key = key
        self.type = type
        self.elementCount = elementCount
        viewOffset = 0
        viewCount = elementCount
    }

    /// From the persistent id tuple: `("storage", type, key, location, numel)` in zip files, with a
    /// sixth element in legacy files: None, or `(view_key, offset, view_numel)`.
    init(persistentID: PickleValue) throws {
        guard let items = persistentID.sequenceItems, items.count == 5 || items.count == 6 else {
            throw InvalidPickleData("persistent id must be a 5- or 6-tuple, not \(persistentID.kind)")
        }
        guard try items[0].text("persistent id tag") == "storage" else {
            throw InvalidPickleData("persistent id is not a storage")
        }
        guard case .global(.storageType(let type)) = items[1] else {
            throw InvalidPickleData("storage type must be a torch storage class, not \(items[1].kind)")
        }
        self.type = type
        key = try items[2].text("storage key")
        _ = try items[3].text("storage location")
        elementCount = try items[4].nonNegativeInteger("storage size")
        var view: [PickleValue]?
        if items.count == 6 {
            switch items[5] {
            case .none: view = nil
            case .tuple(let sequence): view = sequence.items
            default: throw InvalidPickleData("storage view must be None or a tuple, not \(items[5].kind)")
            }
        }
        guard let view else {
            viewOffset = 0
            viewCount = elementCount
            return
        }
        guard view.count == 3 else { throw InvalidPickleData("storage view must be a 3-tuple") }
        _ = try view[0].text("storage view key")
        viewOffset = try view[1].nonNegativeInteger("storage view offset")
        viewCount = try view[2].nonNegativeInteger("storage view size")
        guard viewOffset <= elementCount, viewCount <= elementCount - viewOffset else {
            throw InvalidPickleData("storage view \(viewOffset)+\(viewCount) exceeds storage '\(key)' of \(elementCount) elements")
        }
    }
}
