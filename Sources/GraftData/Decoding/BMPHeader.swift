/// A BMP file's headers, checked field by field before any pixel is read: the file header, one
/// of the DIB headers in use (OS/2's 12 and 64 bytes, Windows' 40 and its V2 to V5 extensions),
/// the bit masks and the colour table. Every offset and length is checked against the file's
/// size, so a hostile header gives an error, never a read out of bounds.
struct BMPHeader {
    enum Compression: Equatable {
        case none, rle8, rle4, bitFields
    }

    /// A channel's bit mask within a 16- or 32-bit pixel, as a shift and a width.
    struct Channel: Equatable {
        let shift: Int, bits: Int

        init(mask: UInt32) {
            shift = mask == 0 ? 0 : mask.trailingZeroBitCount
            bits = mask.nonzeroBitCount
        }

        /// The channel of `pixel` scaled to 8 bits as Pillow scales 5- and 6-bit fields (rounding down).
        func value(of pixel: UInt32) -> UInt8 {
            let field = (pixel >> UInt32(shift)) & ((1 << UInt32(bits)) - 1)
            if bits >= 8 { return UInt8(field >> UInt32(bits - 8)) }
            return UInt8(field * 255 / ((1 << UInt32(bits)) - 1))
        }
    }

    let width: Int
    let height: Int
    /// Rows run top to bottom (a negative height in the file) instead of BMP's usual bottom up.
    let topDown: Bool
    let bitsPerPixel: Int
    let compression: Compression
    /// Red, green, blue and (nil when the pixels carry none) alpha, for 16- and 32-bit pixels.
    let channels: (red: Channel, green: Channel, blue: Channel, alpha: Channel?)
    let palette: [(UInt8, UInt8, UInt8)]
    let pixelOffset: Int

    init(_ bytes: UnsafeRawBufferPointer, name: String) throws {
        func corrupt(_ reason: String) -> ImageDecodingError { .corrupt(file: name, format: "BMP", reason: reason) }
        func unsupported(_ reason: String) -> ImageDecodingError { .unsupportedVariant(file: name, format: "BMP", reason: reason) }
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
        func i32(_ at: Int) -> Int { Int(Int32(bitPattern: u32(at))) }

        guard bytes.count >= 18 else { throw corrupt("the file ends inside its header") }
        pixelOffset = Int(u32(10))
        let headerSize = Int(u32(14))
        guard bytes.count >= 14 + headerSize else { throw corrupt("the file ends inside its \(headerSize)-byte DIB header") }
        var colorsUsed = 0
        var paletteEntrySize = 4
        var masksEnd = 14 + headerSize
        let rawCompression: UInt32
        var masks: [UInt32] = []
        switch headerSize {
        case 12:  // OS/2 1.x and Windows' BITMAPCOREHEADER: 16-bit sizes, 3-byte colour entries
            width = u16(18)
            let storedHeight = u16(20)
            height = storedHeight; topDown = false
            bitsPerPixel = u16(24)
            rawCompression = 0
            paletteEntrySize = 3
        case 40, 52, 56, 64, 108, 124:
            width = i32(18)
            let storedHeight = i32(22)
            height = abs(storedHeight); topDown = storedHeight < 0
            bitsPerPixel = u16(28)
            rawCompression = u32(30)
            colorsUsed = Int(u32(46))
            if headerSize == 64, rawCompression == 3 || rawCompression == 4 {
                throw unsupported("OS/2 compression \(rawCompression == 3 ? "Huffman 1D" : "RLE24")")
            }
            if headerSize >= 52 {
                masks = [u32(54), u32(58), u32(62)] + (headerSize >= 56 ? [u32(66)] : [])
            } else if rawCompression == 3 || rawCompression == 6 {
                // Windows 3.x with bit fields: the masks follow the 40-byte header.
                let count = rawCompression == 3 ? 3 : 4
                masksEnd += 4 * count
                guard bytes.count >= masksEnd else { throw corrupt("the file ends inside its bit masks") }
                masks = (0..<count).map { u32(54 + 4 * $0) }
            }
        default:
            throw unsupported("a DIB header of \(headerSize) bytes")
        }
        guard width > 0, height > 0 else { throw corrupt("the header gives a size of \(width)x\(height)") }

        switch (rawCompression, bitsPerPixel) {
        case (0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (0, 24), (0, 32): compression = .none
        case (1, 8): compression = .rle8
        case (2, 4): compression = .rle4
        case (3, 16), (3, 32), (6, 16), (6, 32): compression = .bitFields
        case (4, _): throw unsupported("an embedded JPEG")
        case (5, _): throw unsupported("an embedded PNG")
        case (0...6, _): throw corrupt("compression \(rawCompression) with \(bitsPerPixel) bits per pixel")
        default: throw unsupported("compression \(rawCompression)")
        }
        if rawCompression == 0, bitsPerPixel == 16 {
            masks = [0x7C00, 0x03E0, 0x001F]  // 5-5-5
        } else if rawCompression == 0, bitsPerPixel == 32 {
            masks = [0xFF_0000, 0xFF00, 0xFF]  // the fourth byte is reserved, not alpha
        }
        if compression == .bitFields || bitsPerPixel == 16 || bitsPerPixel == 32 {
            for mask in masks where mask != 0 {
                let shifted = mask >> UInt32(mask.trailingZeroBitCount)
                guard shifted & (shifted + 1) == 0 else {
                    throw unsupported(String(format: "a bit mask of 0x%08x, whose bits are not contiguous", mask))
                }
            }
            let alpha = masks.count > 3 && masks[3] != 0 && compression == .bitFields ? Channel(mask: masks[3]) : nil
            channels = (Channel(mask: masks[0]), Channel(mask: masks[1]), Channel(mask: masks[2]), alpha)
        } else {
            channels = (Channel(mask: 0), Channel(mask: 0), Channel(mask: 0), nil)
        }

        var palette: [(UInt8, UInt8, UInt8)] = []
        if bitsPerPixel <= 8 {
            let entries = colorsUsed == 0 ? 1 << bitsPerPixel : min(colorsUsed, 1 << bitsPerPixel)
            let end = masksEnd + entries * paletteEntrySize
            guard end <= bytes.count else { throw corrupt("the colour table of \(entries) entries runs past the end of the file") }
            palette = (0..<entries).map { i in
                let at = masksEnd + i * paletteEntrySize
                return (bytes[at + 2], bytes[at + 1], bytes[at])  // stored blue, green, red
            }
        }
        self.palette = palette
        guard pixelOffset < bytes.count else { throw corrupt("the pixel data would start at byte \(pixelOffset), past the end of the file") }
    }
}
