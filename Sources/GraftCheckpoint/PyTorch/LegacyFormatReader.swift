/// Reads the format torch.save wrote before 1.6 (and still writes with
/// `_use_new_zipfile_serialization=False`): five pickles in a row (magic number, protocol
/// version, system info, the object, the storage keys), then each storage's data as an 8-byte
/// little-endian element count followed by its raw elements.
enum LegacyFormatReader {
    /// 0x1950a86a20f9469cfc6c, as pickle's LONG1 stores it (little-endian).
    static let magicNumber: [UInt8] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]
    static let protocolVersion: Int64 = 1001

    static func read(_ bytes: [UInt8], source: String, stateDictKey: String?) throws -> [CheckpointTensor] {
        var reader = ByteReader(bytes, source: source)
        var storages = StorageTable()

        try Unpickler.unpickle(&reader, storages: &storages) { magic in
            guard case .bigInt(let number) = magic, number == magicNumber else {
                throw CheckpointError.badMagic(source: source, found: "a pickle that is not torch's magic number")
            }
        }
        try Unpickler.unpickle(&reader, storages: &storages) { version in
            guard case .int(protocolVersion) = version else {
                throw CheckpointError.unsupportedFormat(source: source, reason: "legacy protocol version \(version), not \(protocolVersion)")
            }
        }
        try Unpickler.unpickle(&reader, storages: &storages) { systemInfo in
            guard case .dict(let info) = systemInfo else {
                throw CheckpointError.unsupportedFormat(source: source, reason: "system info is a \(systemInfo.kind), not a dict")
            }
            if case .bool(false) = info.value(for: "little_endian") {
                throw CheckpointError.unsupportedFormat(source: source, reason: "written on a big-endian machine")
            }
        }
        let selected = try Unpickler.unpickle(&reader, storages: &storages) { root in
            try StateDictSelection.select(from: root, key: stateDictKey, source: source)
        }
        let keys = try Unpickler.unpickle(&reader, storages: &storages) { list in
            guard let items = list.sequenceItems else {
                throw CheckpointError.unsupportedFormat(source: source, reason: "storage keys are a \(list.kind), not a list")
            }
            return try items.map { item -> String in
                guard case .string(let key) = item else {
                    throw CheckpointError.unsupportedFormat(source: source, reason: "a storage key is a \(item.kind), not a str")
                }
                return key
            }
        }

        var data: [String: StorageBytes] = [:]
        for key in keys {
            guard let declared = storages[key] else {
                throw CheckpointError.invalidStorage(source: source, key: key, reason: "listed, but no tensor refers to it")
            }
            guard data[key] == nil else {
                throw CheckpointError.invalidStorage(source: source, key: key, reason: "listed twice")
            }
            data[key] = try readStorage(declared, from: &reader)
        }
        if let unlisted = storages.keysInOrder.first(where: { data[$0] == nil }) {
            throw CheckpointError.invalidStorage(source: source, key: unlisted, reason: "tensors refer to it, but the file has no data for it")
        }
        return try TensorMaterializer.materialize(selected, storages: data, source: source)
    }

    private static func readStorage(_ declared: StorageReference, from reader: inout ByteReader) throws -> StorageBytes {
        let source = reader.source
        let count = try reader.readInt64(for: "element count of storage '\(declared.key)'")
        guard count == Int64(declared.elementCount) else {
            throw CheckpointError.invalidStorage(source: source, key: declared.key,
                                                 reason: "holds \(count) elements, but the pickle declares \(declared.elementCount)")
        }
        let (byteCount, overflow) = declared.elementCount.multipliedReportingOverflow(by: declared.type.byteCount)
        guard !overflow else {
            throw CheckpointError.invalidStorage(source: source, key: declared.key, reason: "\(count) elements overflow")
        }
        let range = try reader.take(UInt64(byteCount), for: "data of storage '\(declared.key)'")
        return StorageBytes(buffer: reader.bytes, start: range.lowerBound, type: declared.type, elementCount: declared.elementCount)
    }
}
