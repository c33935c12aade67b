import Foundation

/// Reads tensors from the bytes after an inference request's JSON header, in input order
/// (Triton's binary tensor data extension: little-endian elements; a BYTES element is a 4-byte
/// little-endian length, then that many bytes).
struct BinaryTensorReader {
    private let data: Data
    private var offset: Int

    init(data: Data) {
        self.data = data
        offset = data.startIndex
    }

    var isAtEnd: Bool { offset == data.endIndex }
    var remaining: Int { data.endIndex - offset }

    mutating func floats(count: Int, field: String) throws -> [Float] {
        let bytes = try take(count * 4, field: field)
        return bytes.withUnsafeBytes { raw in
            (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    mutating func byteElements(size: Int, count: Int, field: String) throws -> [Data] {
        var section = BinaryTensorReader(data: try take(size, field: field))
        var elements: [Data] = []
        while !section.isAtEnd {
            let header = try section.take(4, field: field, what: "element \(elements.count)'s length")
            let length = header.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
            elements.append(try section.take(length, field: field, what: "element \(elements.count)'s \(length) bytes"))
        }
        guard elements.count == count else {
            throw ServeError.badRequest("\(field): the binary data holds \(elements.count) BYTES elements, but its shape says \(count)")
        }
        return elements
    }

    private mutating func take(_ length: Int, field: String, what: String? = nil) throws -> Data {
        guard length >= 0, length <= remaining else {
            let needed = what.map { "\($0)" } ?? "\(length) bytes"
            throw ServeError.badRequest("\(field): the binary data ends before \(needed) (\(remaining) bytes are left)")
        }
        defer { offset += length }
        return data.subdata(in: offset ..< offset + length)
    }
}
