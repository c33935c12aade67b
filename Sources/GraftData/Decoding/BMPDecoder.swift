/// BMP decoding by a reader of Graft's own, on `BMPHeader`: 1, 2, 4 and 8-bit palettes
/// (uncompressed or run-length encoded), 16 and 32-bit bit fields (with alpha where a mask gives
/// it), 24-bit, bottom-up or top-down. Debian has no BMP library of its own size; the formats
/// are a few pages of specification, and a Swift reader checks every index it uses.
enum BMPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> RGBImage {
        let header = try BMPHeader(bytes, name: name)
        try options.checkPixelLimit(width: header.width, height: header.height, file: name, format: .bmp)
        switch header.compression {
        case .rle8, .rle4:
            let indices = try RunLengthDecoding.indices(bytes, header: header, name: name)
            return paletted(header) { row in indices[(row * header.width)..<((row + 1) * header.width)] }
        case .none, .bitFields:
            let stride = (header.bitsPerPixel * header.width + 31) / 32 * 4
            let available = bytes.count - header.pixelOffset
            guard stride * header.height <= available else {
                throw ImageDecodingError.corrupt(file: name, format: "BMP",
                                                 reason: "the pixel data is truncated: \(available) of \(stride * header.height) bytes")
            }
            let rowBytes = { (row: Int) in
                UnsafeRawBufferPointer(rebasing: bytes[(header.pixelOffset + row * stride)..<(header.pixelOffset + (row + 1) * stride)])
            }
            if header.bitsPerPixel <= 8 {
                return paletted(header) { row in unpackIndices(rowBytes(row), width: header.width, bits: header.bitsPerPixel) }
            }
            return try direct(header, options: options, rowBytes)
        }
    }

    static func dimensions(_ bytes: UnsafeRawBufferPointer, name: String, options: DecodingOptions) throws -> (width: Int, height: Int) {
        let header = try BMPHeader(bytes, name: name)
        try options.checkPixelLimit(width: header.width, height: header.height, file: name, format: .bmp)
        return (header.width, header.height)
    }

    /// The screen row of the `row`-th row stored in the file.
    private static func screenRow(_ row: Int, _ header: BMPHeader) -> Int {
        header.topDown ? row : header.height - 1 - row
    }

    /// A paletted image from each stored row's colour indices; an index past the table is black,
    /// as in Pillow.
    private static func paletted<Indices: Collection<UInt8>>(_ header: BMPHeader, indices: (Int) -> Indices) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * 3)
        let palette = header.palette
        pixels.withUnsafeMutableBufferPointer { out in
            for row in 0..<header.height {
                var at = screenRow(row, header) * header.width * 3
                for index in indices(row) {
                    if Int(index) < palette.count {
                        let color = palette[Int(index)]
                        out[at] = color.0; out[at + 1] = color.1; out[at + 2] = color.2
                    }
                    at += 3
                }
            }
        }
        return RGBImage(width: header.width, height: header.height, pixels: pixels)
    }

    /// The `width` colour indices of one row of 1, 2, 4 or 8 bits each, high bits first.
    private static func unpackIndices(_ row: UnsafeRawBufferPointer, width: Int, bits: Int) -> [UInt8] {
        if bits == 8 { return Array(row.prefix(width)) }
        let perByte = 8 / bits, mask = UInt8((1 << bits) - 1)
        return (0..<width).map { x in
            (row[x / perByte] >> UInt8(8 - bits * (x % perByte + 1))) & mask
        }
    }

    /// 16, 24 and 32-bit pixels. Alpha is composited onto the background, except in a file
    /// whose alpha is zero everywhere: writers that fill the field with zeros mean an opaque
    /// image, as browsers take it.
    private static func direct(_ header: BMPHeader, options: DecodingOptions,
                               _ rowBytes: (Int) -> UnsafeRawBufferPointer) throws -> RGBImage {
        let width = header.width, height = header.height
        let channels = header.channels
        var rgba = [UInt8](repeating: 255, count: width * height * 4)
        var anyAlpha = false
        rgba.withUnsafeMutableBufferPointer { out in
            for row in 0..<height {
                let source = rowBytes(row)
                var at = screenRow(row, header) * width * 4
                for x in 0..<width {
                    switch header.bitsPerPixel {
                    case 24:
                        out[at] = source[3 * x + 2]; out[at + 1] = source[3 * x + 1]; out[at + 2] = source[3 * x]
                    default:
                        let pixel = header.bitsPerPixel == 16
                            ? UInt32(source[2 * x]) | UInt32(source[2 * x + 1]) << 8
                            : UInt32(source[4 * x]) | UInt32(source[4 * x + 1]) << 8 | UInt32(source[4 * x + 2]) << 16
                                | UInt32(source[4 * x + 3]) << 24
                        out[at] = channels.red.value(of: pixel)
                        out[at + 1] = channels.green.value(of: pixel)
                        out[at + 2] = channels.blue.value(of: pixel)
                        if let alpha = channels.alpha {
                            out[at + 3] = alpha.value(of: pixel)
                            anyAlpha = anyAlpha || out[at + 3] != 0
                        }
                    }
                    at += 4
                }
            }
            if channels.alpha != nil, !anyAlpha {
                for i in 0..<(width * height) { out[4 * i + 3] = 255 }
            }
        }
        return rgba.withUnsafeBufferPointer {
            AlphaCompositing.opaque($0, width: width, height: height, background: options.background)
        }
    }
}
