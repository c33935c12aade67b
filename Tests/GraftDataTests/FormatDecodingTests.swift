import Foundation
import GraftCore
import XCTest
@testable import GraftData

/// The WebP, GIF, TIFF and BMP decoders on hostile and unusual files: every damaged file is an
/// error naming it, every size past the pixel limit is refused before its pixels are decoded,
/// and the few rules Pillow's fixtures do not show (GIF canvases, BMP alpha) hold.
final class FormatDecodingTests: XCTestCase {
    /// One fixture per format and variant whose every byte belongs to the first image.
    private let stills = ["bmp-24.bmp", "bmp-rle8.bmp", "bmp-16-565.bmp", "gif-interlaced.gif", "tiff-rgb.tif",
                          "tiff-rgb-lzw.tif", "tiff-rgba.tif", "webp-lossy.webp", "webp-lossless-alpha.webp", "webp-animated.webp"]

    private func fixture(_ name: String) throws -> Data { try Data(contentsOf: FormatFixtures.url(name)) }

    func testTheFormatIsTakenFromTheContentNotTheName() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let misnamed = folder.appendingPathComponent("really-a-webp.jpg")
        try fixture("webp-lossless-alpha.webp").write(to: misnamed)
        let decoded = try ImageDecoder.decode(contentsOf: misnamed)
        XCTAssertEqual(decoded, try ImageDecoder.decode(contentsOf: FormatFixtures.url("webp-lossless-alpha.webp")))
        let text = folder.appendingPathComponent("notes.gif")
        try Data("BANANA".utf8).write(to: text)
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: text)) { error in
            XCTAssertEqual("\(error)", "\(text.path): not a JPEG, PNG, WebP, GIF, TIFF or BMP image (it starts with bytes 42 41 4e 41 4e 41)")
        }
    }

    func testTruncatedFilesOfEveryFormatAreErrorsNamingTheFile() throws {
        for name in stills {
            let data = try fixture(name)
            for keep in [2, 10, 30, data.count / 2, data.count - 10] {
                XCTAssertThrowsError(try ImageDecoder.decode(data.prefix(keep), name: "cut-\(name)"), "\(name) cut to \(keep)") { error in
                    let message = "\(error)"
                    XCTAssertTrue(message.hasPrefix("cut-\(name): "), message)
                    XCTAssertTrue(message.contains("corrupt or truncated") || message.contains("not a JPEG"), message)
                }
            }
        }
    }

    /// Damaged files must give an error or an image, never a crash (the run itself is the check).
    func testRandomDamageNeverCrashes() throws {
        var generator = SeededGenerator(seed: 11)
        var refused = 0
        for name in stills + ["gif-transparent.gif", "tiff-gray16.tif", "tiff-palette.tif", "bmp-rle4.bmp", "bmp-32-alpha.bmp"] {
            let original = [UInt8](try fixture(name))
            for _ in 0..<60 {
                var bytes = original
                for _ in 0..<(1 + generator.index(below: 6)) {
                    bytes[generator.index(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
                }
                do {
                    let image = try ImageDecoder.decode(Data(bytes), name: name)
                    XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
                } catch let error as ImageDecodingError {
                    XCTAssertEqual(error.file, name)
                    refused += 1
                }
            }
        }
        XCTAssertGreaterThan(refused, 0)
    }

    func testEveryFormatHonoursThePixelLimitBeforeDecoding() throws {
        let tight = DecodingOptions(pixelLimit: 500)
        for name in stills {
            XCTAssertThrowsError(try ImageDecoder.decode(try fixture(name), name: name, options: tight)) { error in
                guard case ImageDecodingError.tooManyPixels(name, _, _, 500) = error else { return XCTFail("\(name): \(error)") }
            }
        }
        // Headers claiming far more than the few bytes behind them hold.
        let bombs: [(String, Data)] = [
            ("bomb.bmp", RawBMP.encode(width: 60_000, height: -60_000, bitsPerPixel: 24, pixels: [0, 0, 0, 0])),
            ("bomb.gif", RawGIF.encode(screen: (65_535, 65_535), frame: (0, 0, 1, 1), palette: [0, 0, 0], indices: [0])),
            ("frame-bomb.gif", RawGIF.encode(screen: (1, 1), frame: (65_000, 65_000, 1, 1), palette: [0, 0, 0], indices: [0])),
            ("bomb.tif", RawTIFF.encode(width: 100_000, height: 100_000, strip: [1, 2, 3])),
        ]
        for (name, data) in bombs {
            XCTAssertThrowsError(try ImageDecoder.decode(data, name: name)) { error in
                guard case ImageDecodingError.tooManyPixels(name, _, _, _) = error else { return XCTFail("\(name): \(error)") }
                XCTAssertTrue("\(error)".contains("over the limit"), "\(error)")
            }
        }
        // A size whose pixel count does not fit an Int is refused, and said, without a trap.
        let huge = Int(UInt32.max)
        XCTAssertThrowsError(try DecodingOptions().checkPixelLimit(width: huge, height: huge, file: "huge.tif", format: .tiff)) { error in
            XCTAssertTrue("\(error)".hasPrefix("huge.tif: 4294967295x4294967295 is more than"), "\(error)")
        }
    }

    func testAGIFFramePlacedOnItsScreenLeavesTheRestBackgroundAndSeesThroughItsTransparentIndex() throws {
        // A 4x3 screen with a 2x2 frame at (1, 1); index 2 is transparent.
        let palette: [UInt8] = [255, 0, 0, 0, 0, 255, 0, 255, 0]
        let data = RawGIF.encode(screen: (4, 3), frame: (1, 1, 2, 2), palette: palette, transparentIndex: 2,
                                 indices: [0, 1, 2, 0])
        let image = try ImageDecoder.decode(data, options: DecodingOptions(background: (10, 20, 30)))
        XCTAssertEqual([image.width, image.height], [4, 3])
        XCTAssertTrue(image.pixel(x: 0, y: 0) == (10, 20, 30), "outside the frame")
        XCTAssertTrue(image.pixel(x: 1, y: 1) == (255, 0, 0))
        XCTAssertTrue(image.pixel(x: 2, y: 1) == (0, 0, 255))
        XCTAssertTrue(image.pixel(x: 1, y: 2) == (10, 20, 30), "transparent index")
        XCTAssertTrue(image.pixel(x: 2, y: 2) == (255, 0, 0))
        // Without any colour table the indices are grey levels.
        let grey = try ImageDecoder.decode(RawGIF.encode(screen: (2, 1), frame: (0, 0, 2, 1), palette: nil, indices: [7, 200]))
        XCTAssertTrue(grey.pixel(x: 0, y: 0) == (7, 7, 7) && grey.pixel(x: 1, y: 0) == (200, 200, 200))
        // A frame reaching past the screen widens it.
        let wide = try ImageDecoder.decode(RawGIF.encode(screen: (1, 1), frame: (2, 0, 1, 1), palette: palette, indices: [1]))
        XCTAssertEqual([wide.width, wide.height], [3, 1])
    }

    func testBMPHeadersAreCheckedFieldByField() throws {
        let row: [UInt8] = [1, 2, 3, 0]  // one 24-bit pixel and its padding
        let cases: [(String, Data, String)] = [
            ("zero-width.bmp", RawBMP.encode(width: 0, height: 1, bitsPerPixel: 24, pixels: row), "size of 0x1"),
            ("odd-bits.bmp", RawBMP.encode(width: 1, height: 1, bitsPerPixel: 7, pixels: row), "7 bits per pixel"),
            ("jpeg-inside.bmp", RawBMP.encode(width: 1, height: 1, bitsPerPixel: 24, compression: 4, pixels: row), "an embedded JPEG"),
            ("far-offset.bmp", RawBMP.encode(width: 1, height: 1, bitsPerPixel: 24, pixels: row, pixelOffset: 1_000_000), "past the end"),
            ("short-rows.bmp", RawBMP.encode(width: 2, height: 2, bitsPerPixel: 24, pixels: row), "truncated: 4 of 16 bytes"),
            ("short-palette.bmp", RawBMP.encode(width: 1, height: 1, bitsPerPixel: 8, palette: [], pixels: row).prefix(60),
             "colour table of 256 entries"),
            ("rle-ends-early.bmp", RawBMP.encode(width: 2, height: 2, bitsPerPixel: 8, compression: 1,
                                                 palette: [0, 0, 0, 0, 255, 255, 255, 0], pixels: [2, 1, 0, 0]), "ends at row 2 of 2"),
        ]
        for (name, data, reason) in cases {
            XCTAssertThrowsError(try ImageDecoder.decode(data, name: name)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(name): "), "\(error)")
                XCTAssertTrue("\(error)".contains(reason), "\(name): \(error)")
            }
        }
        let unsupported = RawBMP.encode(width: 1, height: 1, bitsPerPixel: 24, compression: 5, pixels: row)
        XCTAssertThrowsError(try ImageDecoder.decode(unsupported, name: "png-inside.bmp")) { error in
            XCTAssertEqual("\(error)", "png-inside.bmp: a kind of BMP that Graft cannot decode (an embedded PNG); convert it to PNG")
        }
    }

    func testA32BitBMPWhoseAlphaIsZeroEverywhereIsOpaque() throws {
        // Bit fields with an alpha mask that no pixel uses: writers that zero the field mean opaque.
        var data = RawBMP.encode(width: 1, height: 1, bitsPerPixel: 32, compression: 6, pixels: [30, 20, 10, 0])
        let masks: [UInt8] = [0, 0, 0xFF, 0, 0, 0xFF, 0, 0, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF]
        data.insert(contentsOf: masks, at: 54)
        data.replaceSubrange(10..<14, with: [UInt8(54 + masks.count), 0, 0, 0])
        XCTAssertTrue(try ImageDecoder.decode(data).pixel(x: 0, y: 0) == (10, 20, 30))
        data[data.count - 1] = 0x80  // now half transparent: composited onto white
        let half = try ImageDecoder.decode(data).pixel(x: 0, y: 0)
        XCTAssertGreaterThan(half.red, 150)
    }

    /// The compositing rule is libpng's: a half-transparent colour over white comes within a
    /// level or two of what libpng gives for the same PNG pixel.
    func testAlphaIsCompositedInLinearLightLikeLibpng() throws {
        for (value, alpha) in [(0, 128), (40, 200), (200, 30), (90, 90)] as [(UInt8, UInt8)] {
            let png = RawPNG.encode(width: 1, height: 1, bitDepth: 8, colorType: .rgba, rows: [[value, value, value, alpha]])
            let libpng = try ImageDecoder.decode(png).pixel(x: 0, y: 0).red
            let ours = [value, value, value, alpha].withUnsafeBufferPointer {
                AlphaCompositing.opaque($0, width: 1, height: 1, background: (255, 255, 255))
            }.pixel(x: 0, y: 0).red
            XCTAssertLessThanOrEqual(abs(Int(ours) - Int(libpng)), 2, "value \(value), alpha \(alpha): ours \(ours), libpng \(libpng)")
        }
    }
}
