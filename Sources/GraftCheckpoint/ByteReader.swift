/// A cursor over bytes that checks every read against what is left, so that a length or count
/// claimed by the file can never read past its end or make us allocate more than it holds.
struct ByteReader {
    let bytes: [UInt8]
    /// For error messages: the file, or the file and the archive entry.
    let source: String
    private(set) var position: Int
    let end: Int

    init(_ bytes: [UInt8], source: String, start: Int = 0) {
        self.bytes = bytes
        self.source = source
        position = start
        end = bytes.count
    }

    var remaining: Int { end - position }
    var isAtEnd: Bool { position >= end }

    private func truncated(_ needed: Int, _ what: String) -> CheckpointError {
        .truncated(source: source, offset: position, needed: needed, available: remaining, what: what)
    }

    /// Fails unless `count` bytes are left; the count is taken as unsigned so that a huge claim
    /// is refused before it is converted to `Int`.
    func require(_ count: UInt64, for what: String) throws -> Int {
        guard count <= UInt64(remaining) else {
            throw truncated(count > UInt64(Int.max) ? Int.max : Int(count), what)
        }
        return Int(count)
    }

    /// The range of the next `count` bytes, which the cursor moves past.
    mutating func take(_ count: UInt64, for what: String) throws -> Range<Int> {
        let length = try require(count, for: what)
        defer { position += length }
        return position..<(position + length)
    }

    mutating func readBytes(_ count: UInt64, for what: String) throws -> ArraySlice<UInt8> {
        bytes[try take(count, for: what)]
    }

    mutating func readUInt8(for what: String) throws -> UInt8 {
        bytes[try take(1, for: what).lowerBound]
    }

    /// A little-endian unsigned integer of `width` bytes (at most 8).
    mutating func readLittleEndian(width: Int, for what: String) throws -> UInt64 {
        let range = try take(UInt64(width), for: what)
        var value: UInt64 = 0
        for index in range.reversed() { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    mutating func readUInt16(for what: String) throws -> UInt16 {
        UInt16(try readLittleEndian(width: 2, for: what))
    }

    mutating func readUInt32(for what: String) throws -> UInt32 {
        UInt32(try readLittleEndian(width: 4, for: what))
    }

    mutating func readInt32(for what: String) throws -> Int32 {
        Int32(bitPattern: try readUInt32(for: what))
    }

    mutating func readUInt64(for what: String) throws -> UInt64 {
        try readLittleEndian(width: 8, for: what)
    }

    mutating func readInt64(for what: String) throws -> Int64 {
        Int64(bitPattern: try readUInt64(for: what))
    }

    /// pickle's BINFLOAT is big-endian, unlike everything else in it.
    mutating func readBigEndianDouble(for what: String) throws -> Double {
        let range = try take(8, for: what)
        var bits: UInt64 = 0
        for index in range { bits = bits << 8 | UInt64(bytes[index]) }
        return Double(bitPattern: bits)
    }

    /// Bytes up to (not including) the next newline, which is consumed too.
    mutating func readLine(for what: String) throws -> ArraySlice<UInt8> {
        guard let newline = bytes[position..<end].firstIndex(of: UInt8(ascii: "\n")) else {
            throw truncated(remaining + 1, what + " (a line ending in a newline)")
        }
        defer { position = newline + 1 }
        return bytes[position..<newline]
    }
}
