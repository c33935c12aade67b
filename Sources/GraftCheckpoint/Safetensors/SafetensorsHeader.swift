import Foundation

/// The JSON header of a safetensors file, checked: every tensor's type is supported, its byte
/// range matches its shape, and the ranges tile the data section exactly, with no overlap and
/// no hole (as the format requires).
struct SafetensorsHeader {
    struct Entry {
        let name: String
        let type: ElementType
        let shape: [Int]
        let elementCount: Int
        /// Byte range within the data section.
        let begin: Int
        let end: Int
    }

    /// The reference implementation refuses larger headers too.
    static let maximumByteCount = 100_000_000

    /// In data-offset order, which is the order the tensors lie in the file.
    let entries: [Entry]
    let metadata: [String: String]
    /// Where the data section starts in the file.
    let dataStart: Int

    init(_ bytes: [UInt8], source: String) throws {
        func invalid(_ reason: String) -> CheckpointError { .invalidSafetensorsHeader(source: source, reason: reason) }
        var reader = ByteReader(bytes, source: source)
        let length = try reader.readUInt64(for: "safetensors header length")
        guard length <= UInt64(Self.maximumByteCount), length <= UInt64(reader.remaining) else {
            throw invalid("header length \(length) exceeds \(min(Self.maximumByteCount, reader.remaining)), what the file allows")
        }
        let json = try reader.readBytes(length, for: "safetensors header")
        guard json.first == UInt8(ascii: "{") else { throw invalid("header does not start with '{'") }
        dataStart = reader.position
        let dataSize = reader.remaining

        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(json))
        } catch let error as DecodingError {
            throw invalid(Self.describe(error))
        } catch {
            throw invalid("\(error)")
        }
        metadata = raw.metadata

        var entries: [Entry] = []
        var seen = Set<String>()
        for (name, entry) in raw.tensors {
            guard seen.insert(name).inserted else { throw invalid("tensor '\(name)' appears twice") }
            guard let type = ElementType(safetensorsName: entry.dtype) else {
                throw CheckpointError.unsupportedDType(source: source, name: name, dtype: entry.dtype)
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }), entry.shape.count <= TensorReference.maximumRank else {
                throw invalid("tensor '\(name)' has shape \(entry.shape)")
            }
            guard entry.dataOffsets.count == 2 else { throw invalid("tensor '\(name)' needs data_offsets [begin, end]") }
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            guard 0 <= begin, begin <= end, end <= dataSize else {
                throw invalid("tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(dataSize) data bytes")
            }
            var count = 1
            for size in entry.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else { throw invalid("tensor '\(name)' has shape \(entry.shape), which overflows") }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.byteCount)
            guard !overflow, byteCount == end - begin else {
                throw invalid("tensor '\(name)' of shape \(entry.shape) and type \(entry.dtype) spans \(end - begin) bytes, not \(byteCount)")
            }
            entries.append(Entry(name: name, type: type, shape: entry.shape, elementCount: count, begin: begin, end: end))
        }

        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        var covered = 0
        for entry in entries {
            guard entry.begin == covered else {
                throw invalid(entry.begin < covered
                    ? "tensor '\(entry.name)' overlaps the previous one (starts at \(entry.begin), before \(covered))"
                    : "bytes \(covered)..<\(entry.begin) before tensor '\(entry.name)' belong to no tensor")
            }
            covered = entry.end
        }
        guard covered == dataSize else { throw invalid("the last \(dataSize - covered) data bytes belong to no tensor") }
        self.entries = entries
    }

    private static func describe(_ error: DecodingError) -> String {
        let context: DecodingError.Context
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): context = c
        @unknown default: return "\(error)"
        }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return (path.isEmpty ? "" : "at '\(path)': ") + context.debugDescription
    }
}

/// The header as JSON: tensor names map to entries, except `__metadata__`, a str -> str map.
private struct RawHeader: Decodable {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]

        enum CodingKeys: String, CodingKey {
            case dtype, shape
            case dataOffsets = "data_offsets"
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    var tensors: [(name: String, entry: Entry)] = []
    var metadata: [String: String] = [:]

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == Safetensors.metadataKey {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                tensors.append((key.stringValue, try container.decode(Entry.self, forKey: key)))
            }
        }
    }
}
