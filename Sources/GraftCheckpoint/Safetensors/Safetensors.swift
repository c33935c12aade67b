import Foundation
import GraftFiles

/// Reads and writes safetensors files: an 8-byte little-endian header length, a JSON header
/// (each tensor's dtype, shape and byte range; optional `__metadata__`), then raw little-endian data.
public enum Safetensors {
    static let metadataKey = "__metadata__"

    public static func read(contentsOf url: URL) throws -> Checkpoint {
        try decode(try readFile(url), source: url.path)
    }

    /// Reads F32, F16, BF16, F64 (widened to `Float`) and I64 tensors; any other type is an error.
    public static func decode(_ data: Data, source: String = "safetensors data") throws -> Checkpoint {
        let bytes = [UInt8](data)
        let header = try SafetensorsHeader(bytes, source: source)
        var selected: [(name: String, tensor: TensorReference)] = []
        var storages: [String: StorageBytes] = [:]
        for entry in header.entries {
            let storage = StorageReference(key: entry.name, type: entry.type, elementCount: entry.elementCount)
            let tensor = try TensorReference(storage: storage, offset: 0, shape: entry.shape,
                                             strides: TensorReference.contiguousStrides(for: entry.shape))
            selected.append((entry.name, tensor))
            storages[entry.name] = StorageBytes(buffer: bytes, start: header.dataStart + entry.begin,
                                                type: entry.type, elementCount: entry.elementCount)
        }
        let tensors = try TensorMaterializer.materialize(selected, storages: storages, source: source)
        return Checkpoint(tensors: tensors, metadata: header.metadata, source: source)
    }

    /// The file's bytes: float tensors as F32 (float16 ones already widened), integer ones as I64,
    /// in the checkpoint's order, the header padded with spaces so the data starts 8-byte aligned.
    public static func encode(_ checkpoint: Checkpoint) throws -> Data {
        if let reserved = checkpoint.tensors.first(where: { $0.name == metadataKey }) {
            throw CheckpointError.invalidTensor(source: checkpoint.source, name: reserved.name,
                                                reason: "safetensors reserves this name for metadata")
        }
        var header = "{"
        var fields: [String] = []
        if !checkpoint.metadata.isEmpty {
            let pairs = checkpoint.metadata.sorted { $0.key < $1.key }.map { "\(jsonString($0.key)):\(jsonString($0.value))" }
            fields.append("\(jsonString(metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for tensor in checkpoint.tensors {
            let type: ElementType = tensor.isFloatingPoint ? .float32 : .int64
            let end = offset + tensor.elementCount * type.byteCount
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(tensor.name)):{\"dtype\":\"\(type.safetensorsName)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        let alignedCount = (8 + headerBytes.count + 7) / 8 * 8 - 8
        headerBytes += [UInt8](repeating: UInt8(ascii: " "), count: alignedCount - headerBytes.count)

        var bytes = [UInt8](repeating: 0, count: 8 + headerBytes.count + offset)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(headerBytes.count).littleEndian, as: UInt64.self)
            raw.baseAddress!.advanced(by: 8).copyMemory(from: headerBytes, byteCount: headerBytes.count)
            var position = 8 + headerBytes.count
            for tensor in checkpoint.tensors {
                switch tensor.elements {
                case .float32(let values):
                    for value in values {
                        raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: position, as: UInt32.self)
                        position += 4
                    }
                case .int64(let values):
                    for value in values {
                        raw.storeBytes(of: value.littleEndian, toByteOffset: position, as: Int64.self)
                        position += 8
                    }
                }
            }
        }
        return Data(bytes)
    }

    /// Writes atomically: readers see the old file or the complete new one, never a partial one.
    public static func write(_ checkpoint: Checkpoint, to url: URL) throws {
        let data = try encode(checkpoint)
        do {
            try writeAtomically(data, to: url)
        } catch let error as FileSystemError {
            throw CheckpointError.writeFailed(path: url.path, reason: error.reason)
        }
    }

    /// A JSON string literal.
    static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
