import Foundation
@testable import GraftData

/// Builders for test images of every kind. PNGs with unusual bit depths and colour types are
/// written by `RawPNG` (stored, uncompressed deflate blocks), so the tests control exactly which
/// chunks a file has; JPEGs come from TurboJPEG.
enum TestImages {
    /// A small image whose every pixel differs, so any misplaced pixel shows.
    static func gradient(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8]()
        for y in 0..<height {
            for x in 0..<width {
                pixels += [UInt8(x * 255 / max(width - 1, 1)), UInt8(y * 255 / max(height - 1, 1)), UInt8((x * 7 + y * 13) % 256)]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    static func jpeg(_ image: RGBImage, quality: Int = 95, mode: JPEGEncoder.ColorMode = .color,
                     progressive: Bool = false) throws -> Data {
        try JPEGEncoder.encode(image, quality: quality, mode: mode, progressive: progressive)
    }
}

/// A PNG writer for tests: any colour type and bit depth, optional PLTE and tRNS chunks.
enum RawPNG {
    enum ColorType: UInt8 { case gray = 0, rgb = 2, palette = 3, grayAlpha = 4, rgba = 6 }

    /// `rows` are the unfiltered scanlines (without the filter byte).
    static func encode(width: Int, height: Int, bitDepth: UInt8, colorType: ColorType, rows: [[UInt8]],
                       palette: [UInt8]? = nil, transparency: [UInt8]? = nil) -> Data {
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header += be32(UInt32(width)) + be32(UInt32(height))
        header += [bitDepth, colorType.rawValue, 0, 0, 0]
        out += chunk("IHDR", header)
        if let palette { out += chunk("PLTE", Data(palette)) }
        if let transparency { out += chunk("tRNS", Data(transparency)) }
        var raw = [UInt8]()
        for row in rows { raw += [0] + row }
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", Data())
        return out
    }

    private static func be32(_ v: UInt32) -> Data {
        Data([UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)])
    }

    private static func chunk(_ type: String, _ body: Data) -> Data {
        let typed = Data(type.utf8) + body
        return be32(UInt32(body.count)) + typed + be32(crc32(typed))
    }

    private static func zlibStored(_ bytes: [UInt8]) -> Data {
        var out = Data([0x78, 0x01])
        var offset = 0
        repeat {
            let n = min(65535, bytes.count - offset)
            let last: UInt8 = offset + n == bytes.count ? 1 : 0
            out += [last, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += bytes[offset..<(offset + n)]
            offset += n
        } while offset < bytes.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + be32(b << 16 | a)
    }

    private static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}

/// A fresh temporary folder, removed when the test ends.
func makeTemporaryFolder(_ test: String = #function) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("graft-data-tests-\(test.filter(\.isLetter))-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
