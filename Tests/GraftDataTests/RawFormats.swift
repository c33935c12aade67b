import Foundation

/// Byte-level writers of BMP, GIF and TIFF files for the decoder tests, so each test controls
/// exactly the header fields a hostile or unusual file would have.
enum RawBMP {
    /// A Windows 3 (40-byte header) BMP; `pixels` are the stored rows, padding included.
    static func encode(width: Int32, height: Int32, bitsPerPixel: UInt16, compression: UInt32 = 0,
                       palette: [UInt8] = [], pixels: [UInt8], pixelOffset: UInt32? = nil) -> Data {
        let offset = pixelOffset ?? UInt32(14 + 40 + palette.count)
        var out = Data("BM".utf8)
        out += le32(offset + UInt32(pixels.count)) + le32(0) + le32(offset)
        out += le32(40) + le32(UInt32(bitPattern: width)) + le32(UInt32(bitPattern: height))
        out += le16(1) + le16(bitsPerPixel) + le32(compression) + le32(UInt32(pixels.count))
        out += le32(2835) + le32(2835) + le32(UInt32(palette.count / 4)) + le32(0)
        return out + palette + pixels
    }
}

enum RawGIF {
    /// A GIF89a with an optional global colour table, an optional graphic control extension
    /// (transparent index) and one frame. The pixels are coded as LZW literals only, with a clear
    /// code often enough that the code size never grows: valid, if not small.
    static func encode(screen: (UInt16, UInt16), frame: (left: UInt16, top: UInt16, width: UInt16, height: UInt16),
                       palette: [UInt8]?, transparentIndex: UInt8? = nil, indices: [UInt8]) -> Data {
        var out = Data("GIF89a".utf8) + le16(screen.0) + le16(screen.1)
        out += [palette == nil ? 0 : 0xF7, 0, 0]  // a 256-entry global table, or none
        if let palette { out += palette + [UInt8](repeating: 0, count: 768 - palette.count) }
        if let transparentIndex { out += [0x21, 0xF9, 4, 1, 0, 0, transparentIndex, 0] }
        out += [0x2C] + le16(frame.left) + le16(frame.top) + le16(frame.width) + le16(frame.height) + [0]
        out += [8] + subBlocks(lzwLiterals(indices)) + [0x3B]
        return out
    }

    private static func lzwLiterals(_ indices: [UInt8]) -> [UInt8] {
        var bits: [Bool] = []
        func emit(_ code: Int) { for b in 0..<9 { bits.append(code >> b & 1 == 1) } }
        emit(256)
        for (i, index) in indices.enumerated() {
            if i > 0, i % 250 == 0 { emit(256) }
            emit(Int(index))
        }
        emit(257)
        return stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { byte, b in start + b < bits.count && bits[start + b] ? byte | UInt8(1 << b) : byte }
        }
    }

    private static func subBlocks(_ bytes: [UInt8]) -> [UInt8] {
        stride(from: 0, to: bytes.count, by: 255).flatMap { start -> [UInt8] in
            let chunk = bytes[start..<min(start + 255, bytes.count)]
            return [UInt8(chunk.count)] + chunk
        } + [0]
    }
}

enum RawTIFF {
    /// A little-endian TIFF claiming `width` x `height` 8-bit RGB in one uncompressed strip of
    /// `strip` bytes (which may be far fewer than the size claims).
    static func encode(width: UInt32, height: UInt32, strip: [UInt8]) -> Data {
        let bitsAt: UInt32 = 8 + 2 + 12 * 10 + 4, stripAt = bitsAt + 6
        let entries: [(tag: UInt16, type: UInt16, count: UInt32, value: UInt32)] = [
            (256, 4, 1, width), (257, 4, 1, height), (258, 3, 3, bitsAt), (259, 3, 1, 1), (262, 3, 1, 2),
            (273, 4, 1, stripAt), (277, 3, 1, 3), (278, 4, 1, height), (279, 4, 1, UInt32(strip.count)), (284, 3, 1, 1),
        ]
        var out = Data("II".utf8) + le16(42) + le32(8) + le16(UInt16(entries.count))
        for entry in entries { out += le16(entry.tag) + le16(entry.type) + le32(entry.count) + le32(entry.value) }
        out += le32(0) + le16(8) + le16(8) + le16(8)
        return out + strip
    }
}

private func le16(_ v: UInt16) -> Data { Data([UInt8(v & 0xFF), UInt8(v >> 8)]) }
private func le32(_ v: UInt32) -> Data { Data([UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]) }
