import Foundation

/// Writes a pickle opcode by opcode, so tests can make exactly the byte streams torch writes
/// (and hostile ones it never would) without Python.
struct PickleBuilder {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ more: [UInt8]) { bytes += more }
    mutating func op(_ code: UInt8) { bytes.append(code) }

    private mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    mutating func proto(_ version: UInt8 = 2) { bytes += [0x80, version] }
    mutating func frame(_ length: UInt64) { op(0x95); littleEndian(length) }
    mutating func stop() { op(0x2e) }

    mutating func mark() { op(0x28) }
    mutating func pop() { op(0x30) }
    mutating func popMark() { op(0x31) }
    mutating func dup() { op(0x32) }

    mutating func none() { op(0x4e) }
    mutating func bool(_ value: Bool) { op(value ? 0x88 : 0x89) }

    /// The shortest of BININT1, BININT2 and BININT, as pickle itself chooses.
    mutating func int(_ value: Int) {
        if (0..<256).contains(value) {
            bytes += [0x4b, UInt8(value)]
        } else if (0..<65536).contains(value) {
            op(0x4d); littleEndian(UInt16(value))
        } else if let small = Int32(exactly: value) {
            op(0x4a); littleEndian(small)
        } else {
            long1(value)
        }
    }

    mutating func long1(_ value: Int) {
        var encoded = withUnsafeBytes(of: Int64(value).littleEndian) { Array($0) }
        // Trim redundant sign bytes, keeping the sign bit right.
        while encoded.count > 1,
              (encoded.last == 0 && encoded[encoded.count - 2] & 0x80 == 0)
                || (encoded.last == 0xff && encoded[encoded.count - 2] & 0x80 != 0) {
            encoded.removeLast()
        }
        long1(bytes: encoded)
    }

    mutating func long1(bytes encoded: [UInt8]) { bytes += [0x8a, UInt8(encoded.count)] + encoded }

    mutating func float(_ value: Double) {
        op(0x47)
        withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes += $0 }
    }

    mutating func unicode(_ text: String) {
        op(0x58); littleEndian(UInt32(text.utf8.count)); bytes += Array(text.utf8)
    }

    mutating func shortUnicode(_ text: String) { bytes += [0x8c, UInt8(text.utf8.count)] + Array(text.utf8) }
    mutating func unicode8(_ text: String) { op(0x8d); littleEndian(UInt64(text.utf8.count)); bytes += Array(text.utf8) }
    mutating func shortBinString(_ text: String) { bytes += [0x55, UInt8(text.utf8.count)] + Array(text.utf8) }
    mutating func binString(_ text: String) { op(0x54); littleEndian(Int32(text.utf8.count)); bytes += Array(text.utf8) }
    mutating func shortBinBytes(_ data: [UInt8]) { bytes += [0x43, UInt8(data.count)] + data }
    mutating func binBytes(_ data: [UInt8]) { op(0x42); littleEndian(UInt32(data.count)); bytes += data }
    mutating func binBytes8(_ data: [UInt8]) { op(0x8e); littleEndian(UInt64(data.count)); bytes += data }

    mutating func emptyTuple() { op(0x29) }
    mutating func tuple() { op(0x74) }
    mutating func tuple1() { op(0x85) }
    mutating func tuple2() { op(0x86) }
    mutating func tuple3() { op(0x87) }
    mutating func emptyList() { op(0x5d) }
    mutating func list() { op(0x6c) }
    mutating func append() { op(0x61) }
    mutating func appends() { op(0x65) }
    mutating func emptyDict() { op(0x7d) }
    mutating func dict() { op(0x64) }
    mutating func setItem() { op(0x73) }
    mutating func setItems() { op(0x75) }

    mutating func binPut(_ index: UInt8) { bytes += [0x71, index] }
    mutating func longBinPut(_ index: UInt32) { op(0x72); littleEndian(index) }
    mutating func memoize() { op(0x94) }
    mutating func binGet(_ index: UInt8) { bytes += [0x68, index] }
    mutating func longBinGet(_ index: UInt32) { op(0x6a); littleEndian(index) }

    mutating func global(_ module: String, _ name: String) {
        op(0x63); bytes += Array("\(module)\n\(name)\n".utf8)
    }

    mutating func stackGlobal(_ module: String, _ name: String) {
        shortUnicode(module); shortUnicode(name); op(0x93)
    }

    mutating func reduce() { op(0x52) }
    mutating func build() { op(0x62) }
    mutating func newObj() { op(0x81) }
    mutating func binPersistentID() { op(0x51) }

    /// A tuple of ints, as torch writes sizes and strides.
    mutating func intTuple(_ values: [Int]) {
        switch values.count {
        case 0: emptyTuple()
        case 1: int(values[0]); tuple1()
        case 2: values.forEach { int($0) }; tuple2()
        case 3: values.forEach { int($0) }; tuple3()
        default: mark(); values.forEach { int($0) }; tuple()
        }
    }
}
