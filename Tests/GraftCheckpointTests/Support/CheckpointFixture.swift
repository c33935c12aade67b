import Foundation
@testable import GraftCheckpoint
import ZIPFoundation

/// A small state dict described in Swift and written as torch would write it, in the legacy
/// or the zip format, so the reader can be tested without PyTorch.
struct CheckpointFixture {
    struct Storage {
        let key: String
        let type: ElementType
        let bytes: [UInt8]
        let elementCount: Int
    }

    struct Tensor {
        let name: String
        let storageKey: String
        let offset: Int
        let shape: [Int]
        let strides: [Int]
        /// Saved as an nn.Parameter: wrapped in `_rebuild_parameter`.
        var isParameter = false
    }

    enum Format { case legacy, zip }

    var storages: [Storage] = []
    var tensors: [Tensor] = []
    /// When not empty, the state dict is saved wrapped: `{"epoch": 7, key1: state_dict, key2: state_dict, ...}`.
    var wrapperKeys: [String] = []

    static func floatStorage(_ key: String, _ values: [Float]) -> Storage {
        Storage(key: key, type: .float32, bytes: values.flatMap { littleEndianBytes($0.bitPattern) }, elementCount: values.count)
    }

    static func halfStorage(_ key: String, bits: [UInt16], type: ElementType = .float16) -> Storage {
        Storage(key: key, type: type, bytes: bits.flatMap { littleEndianBytes($0) }, elementCount: bits.count)
    }

    static func longStorage(_ key: String, _ values: [Int64]) -> Storage {
        Storage(key: key, type: .int64, bytes: values.flatMap { littleEndianBytes($0) }, elementCount: values.count)
    }

    static func storageClass(_ type: ElementType) -> String {
        switch type {
        case .float32: return "FloatStorage"
        case .float16: return "HalfStorage"
        case .bfloat16: return "BFloat16Storage"
        case .float64: return "DoubleStorage"
        case .int64: return "LongStorage"
        }
    }

    // MARK: The pickle of the state dict

    /// The object pickle, as torch writes it: an OrderedDict built by REDUCE and SETITEMS, globals
    /// and repeated strings memoized and fetched again with BINGET, `_metadata` set by BUILD.
    func objectPickle(_ format: Format) -> [UInt8] {
        var pickle = PickleBuilder()
        var memo: [String: UInt8] = [:]
        func memoized(_ id: String, _ write: (inout PickleBuilder) -> Void) {
            if let index = memo[id] { pickle.binGet(index); return }
            write(&pickle)
            let index = UInt8(memo.count)
            memo[id] = index
            pickle.binPut(index)
        }
        func orderedDictGlobal() { memoized("global OrderedDict") { $0.global("collections", "OrderedDict") } }

        func stateDict() {
            orderedDictGlobal()
            pickle.emptyTuple()
            pickle.reduce()
            pickle.mark()
            for tensor in tensors {
                let storage = storages.first { $0.key == tensor.storageKey }!
                pickle.unicode(tensor.name)
                if tensor.isParameter { memoized("global param") { $0.global("torch._utils", "_rebuild_parameter") } }
                memoized("global rebuild") { $0.global("torch._utils", "_rebuild_tensor_v2") }
                pickle.mark()
                pickle.mark()
                memoized("str storage") { $0.unicode("storage") }
                memoized("class \(storage.type)") { $0.global("torch", Self.storageClass(storage.type)) }
                memoized("key \(storage.key)") { $0.unicode(storage.key) }
                memoized("str cpu") { $0.unicode("cpu") }
                pickle.int(storage.elementCount)
                if format == .legacy { pickle.none() }
                pickle.tuple()
                pickle.binPersistentID()
                pickle.int(tensor.offset)
                pickle.intTuple(tensor.shape)
                pickle.intTuple(tensor.strides)
                pickle.bool(false)
                orderedDictGlobal()
                pickle.emptyTuple()
                pickle.reduce()
                pickle.tuple()
                pickle.reduce()
                if tensor.isParameter {
                    pickle.bool(true)
                    orderedDictGlobal()
                    pickle.emptyTuple()
                    pickle.reduce()
                    pickle.tuple3()
                    pickle.reduce()
                }
            }
            pickle.setItems()
            // state = {"_metadata": OrderedDict([("", {"version": 1})])}, as nn.Module.state_dict() leaves it.
            pickle.emptyDict()
            pickle.unicode("_metadata")
            orderedDictGlobal()
            pickle.emptyTuple()
            pickle.reduce()
            pickle.unicode("")
            pickle.emptyDict()
            pickle.unicode("version"); pickle.int(1)
            pickle.setItem()
            pickle.setItem()
            pickle.setItem()
            pickle.build()
        }

        pickle.proto(2)
        if wrapperKeys.isEmpty {
            stateDict()
        } else {
            pickle.emptyDict()
            pickle.mark()
            pickle.unicode("epoch"); pickle.int(7)
            for key in wrapperKeys {
                pickle.unicode(key)
                stateDict()
            }
            pickle.setItems()
        }
        pickle.stop()
        return pickle.bytes
    }

    // MARK: Files

    /// magic, protocol version, system info, object, storage keys; then each storage's count and
    /// data. `writtenCounts` replaces the element count written before a storage's data.
    /// `headerProtocol` is the pickle protocol of the first three pickles (torch.save's `pickle_protocol`).
    func legacyFile(storageOrder: [String]? = nil, writtenCounts: [String: Int64] = [:], headerProtocol: UInt8 = 2) -> [UInt8] {
        var file = PickleBuilder()
        file.proto(headerProtocol); file.long1(bytes: LegacyFormatReader.magicNumber); file.stop()
        file.proto(headerProtocol); file.int(1001); file.stop()
        file.proto(headerProtocol); file.emptyDict(); file.mark()
        file.unicode("protocol_version"); file.int(1001)
        file.unicode("little_endian"); file.bool(true)
        file.unicode("type_sizes"); file.emptyDict(); file.mark()
        file.unicode("short"); file.int(2); file.unicode("int"); file.int(4); file.unicode("long"); file.int(4)
        file.setItems(); file.setItems(); file.stop()
        file.raw(objectPickle(.legacy))
        let keys = storageOrder ?? storages.map(\.key)
        file.proto(2); file.emptyList(); file.mark()
        keys.forEach { file.unicode($0) }
        file.appends(); file.stop()
        for key in keys {
            let storage = storages.first { $0.key == key }!
            file.raw(littleEndianBytes(writtenCounts[key] ?? Int64(storage.elementCount)))
            file.raw(storage.bytes)
        }
        return file.bytes
    }

    /// The zip format's archive, built in memory with ZIPFoundation. `replacePickle` substitutes the
    /// data.pkl bytes (for fuzzing), `extraEntries` adds or overrides entries, `omitting` drops some.
    func zipFile(replacePickle: [UInt8]? = nil, extraEntries: [String: [UInt8]] = [:], omitting: Set<String> = [],
                 compressed: Bool = false) throws -> Data {
        var entries: [(String, [UInt8])] = [
            ("archive/data.pkl", replacePickle ?? objectPickle(.zip)),
            ("archive/byteorder", Array("little".utf8)),
        ]
        for storage in storages { entries.append(("archive/data/\(storage.key)", storage.bytes)) }
        entries.append(("archive/version", Array("3\n".utf8)))
        entries = entries.filter { extraEntries[$0.0] == nil && !omitting.contains($0.0) }
            + extraEntries.sorted { $0.key < $1.key }
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, bytes) in entries {
            let data = Data(bytes)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count),
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return archive.data!
    }
}

func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}
