/// BMP's run-length encodings (RLE8 and RLE4): each stored row's colour indices. Pixels that a
/// delta code skips keep index 0, as in Pillow; a run past the end of a row is cut there. Data
/// that ends before the last row is reached is truncated.
enum RunLengthDecoding {
    /// `width * height` indices, stored row by row (the first row is the bottom one unless the
    /// header says top-down).
    static func indices(_ bytes: UnsafeRawBufferPointer, header: BMPHeader, name: String) throws -> [UInt8] {
        let width = header.width, height = header.height
        let nibbles = header.compression == .rle4
        var indices = [UInt8](repeating: 0, count: width * height)
        var x = 0, y = 0
        var i = header.pixelOffset
        func truncated() -> ImageDecodingError {
            .corrupt(file: name, format: "BMP", reason: "the run-length data ends at row \(y + 1) of \(height)")
        }
        func put(_ index: UInt8) {
            if x < width, y < height { indices[y * width + x] = index }
            x += 1
        }
        decoding: while y < height {
            guard i + 1 < bytes.count else { throw truncated() }
            let count = Int(bytes[i]), value = bytes[i + 1]
            i += 2
            if count > 0 {
                // A run: `count` pixels of one index, or in RLE4 of two alternating nibbles.
                for k in 0..<count { put(nibbles ? (k % 2 == 0 ? value >> 4 : value & 0x0F) : value) }
                continue
            }
            switch value {
            case 0:
                x = 0; y += 1  // end of row
            case 1:
                break decoding  // end of bitmap
            case 2:
                guard i + 1 < bytes.count else { throw truncated() }
                x += Int(bytes[i]); y += Int(bytes[i + 1])
                i += 2
            default:
                // Absolute mode: `value` literal pixels, padded to a whole 16-bit word.
                let length = nibbles ? (Int(value) + 1) / 2 : Int(value)
                guard i + length <= bytes.count else { throw truncated() }
                for k in 0..<Int(value) {
                    put(nibbles ? (k % 2 == 0 ? bytes[i + k / 2] >> 4 : bytes[i + k / 2] & 0x0F) : bytes[i + k])
                }
                i += length + length % 2
            }
        }
        return indices
    }
}
