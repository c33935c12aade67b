import Foundation
import ZIPFoundation

/// Reads the format torch.save has written since 1.6: a zip archive with `<prefix>/data.pkl`
/// (the object, whose persistent ids name storages), `<prefix>/data/<key>` (each storage's raw
/// little-endian elements), `<prefix>/byteorder` and `<prefix>/version`.
struct ZipFormatReader {
    let archive: Archive
    /// The size of the archive file, which bounds what any entry can hold.
    let archiveByteCount: Int
    let source: String
    private var entries: [String: Entry] = [:]

    init(archive: Archive, archiveByteCount: Int, source: String) {
        self.archive = archive
        self.archiveByteCount = archiveByteCount
        self.source = source
        // ZIP allows repeated paths; like ZIPFoundation's subscript, the first one wins.
        for entry in archive where entries[entry.path] == nil { entries[entry.path] = entry }
    }

    func read(stateDictKey: String?) throws -> [CheckpointTensor] {
        let pickles = entries.keys.filter { path in
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[1] == "data.pkl"
        }
        guard pickles.count == 1, let picklePath = pickles.first, let pickleEntry = entries[picklePath] else {
            throw CheckpointError.unsupportedFormat(
                source: source, reason: pickles.isEmpty ? "zip archive without <prefix>/data.pkl" : "zip archive with several data.pkl")
        }
        let prefix = String(picklePath.dropLast("data.pkl".count))
        try checkByteOrder(prefix: prefix)

        var reader = ByteReader(try extract(pickleEntry, maximumSize: pickleEntry.uncompressedSize),
                                source: "\(source):\(picklePath)")
        var storages = StorageTable()
        let selected = try Unpickler.unpickle(&reader, storages: &storages) { root in
            try StateDictSelection.select(from: root, key: stateDictKey, source: source)
        }

        // Only the storages the chosen tensors use: an optimizer state next to the weights is never read.
        var data: [String: StorageBytes] = [:]
        for (_, tensor) in selected where data[tensor.storage.key] == nil {
            data[tensor.storage.key] = try readStorage(tensor.storage, prefix: prefix)
        }
        return try TensorMaterializer.materialize(selected, storages: data, source: source)
    }

    /// Files written before torch recorded the byte order are little-endian.
    private func checkByteOrder(prefix: String) throws {
        guard let entry = entries[prefix + "byteorder"] else { return }
        let text = String(decoding: try extract(entry, maximumSize: 16), as: UTF8.self)
        guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else {
            throw CheckpointError.unsupportedFormat(source: source, reason: "byte order '\(text)'")
        }
    }

    private func readStorage(_ declared: StorageReference, prefix: String) throws -> StorageBytes {
        let path = prefix + "data/" + declared.key
        guard let entry = entries[path] else {
            throw CheckpointError.invalidStorage(source: source, key: declared.key, reason: "no entry \(path) in the archive")
        }
        let (byteCount, overflow) = declared.elementCount.multipliedReportingOverflow(by: declared.type.byteCount)
        guard !overflow, entry.uncompressedSize == UInt64(byteCount) else {
            throw CheckpointError.invalidStorage(
                source: source, key: declared.key,
                reason: "holds \(entry.uncompressedSize) bytes, but \(declared.elementCount) \(declared.type) elements need "
                    + (overflow ? "more than fits in memory" : "\(byteCount)"))
        }
        let bytes = try extract(entry, maximumSize: UInt64(byteCount))
        return StorageBytes(buffer: bytes, start: 0, type: declared.type, elementCount: declared.elementCount)
    }

    /// An entry's bytes, refusing more than `maximumSize` or more than the archive could hold,
    /// and checking the CRC.
    ///
    /// torch.save stores entries uncompressed (so that storages can be memory-mapped). Compressed
    /// ones are refused: ZIPFoundation's inflate on Linux loops forever on a deflate stream that
    /// stops before its last block, so a damaged or hostile archive could hang the reader.
    private func extract(_ entry: Entry, maximumSize: UInt64) throws -> [UInt8] {
        // ZIPFoundation reads a "symlink" entry by allocating its claimed size up front.
        guard entry.type == .file else {
            throw CheckpointError.unsupportedFormat(source: source, reason: "zip entry \(entry.path) is not a file")
        }
        guard !entry.isCompressed else {
            throw CheckpointError.unsupportedFormat(
                source: source, reason: "zip entry \(entry.path) is compressed; torch.save writes entries uncompressed")
        }
        let claimed = entry.uncompressedSize
        guard claimed <= maximumSize, claimed <= UInt64(archiveByteCount) else {
            throw CheckpointError.invalidStorage(source: source, key: entry.path,
                                                 reason: "zip entry claims \(claimed) bytes in an archive of \(archiveByteCount)")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(claimed))
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                guard UInt64(bytes.count + chunk.count) <= claimed else {
                    throw CheckpointError.unreadableFile(source: source, reason: "zip entry \(entry.path) inflates past its declared size")
                }
                bytes.append(contentsOf: chunk)
            }
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.unreadableFile(source: source, reason: "zip entry \(entry.path): \(error)")
        }
        guard UInt64(bytes.count) == claimed, checksum == entry.checksum else {
            throw CheckpointError.unreadableFile(source: source, reason: "zip entry \(entry.path) is corrupt (size or CRC mismatch)")
        }
        return bytes
    }
}
