import Foundation
import GraftCore
import XCTest
@testable import GraftData

final class DecodingTests: XCTestCase {
    func testGrayscaleJPEGBecomesEqualRGB() throws {
        let image = TestImages.gradient(width: 16, height: 8)
        let decoded = try ImageDecoder.decode(TestImages.jpeg(image, mode: .grayscale))
        XCTAssertEqual(decoded.width, 16)
        for i in stride(from: 0, to: decoded.pixels.count, by: 3) {
            XCTAssertEqual(decoded.pixels[i], decoded.pixels[i + 1])
            XCTAssertEqual(decoded.pixels[i], decoded.pixels[i + 2])
        }
    }

    func testCMYKAndProgressiveJPEGDecodeCloseToTheSource() throws {
        let image = RGBImage(width: 16, height: 16, red: 200, green: 80, blue: 30)
        for data in [try TestImages.jpeg(image, mode: .cmyk), try TestImages.jpeg(image, progressive: true)] {
            let decoded = try ImageDecoder.decode(data)
            let p = decoded.pixel(x: 8, y: 8)
            XCTAssertEqual(Double(p.red), 200, accuracy: 6)
            XCTAssertEqual(Double(p.green), 80, accuracy: 6)
            XCTAssertEqual(Double(p.blue), 30, accuracy: 6)
        }
    }

    func testEveryEXIFOrientationIsTurnedUpright() throws {
        // A 2x3 picture stored in each of the eight orientations; upright it must read the same.
        let upright = TestImages.gradient(width: 40, height: 24)
        let storedFor: [EXIFOrientation: RGBImage] = [
            .up: upright,
            .mirrored: upright.applying(.mirrored),
            .upsideDown: upright.applying(.upsideDown),
            .upsideDownMirrored: upright.applying(.upsideDownMirrored),
            .transposed: upright.applying(.transposed),
            .rotatedClockwise: upright.applying(.rotatedCounterClockwise),
            .transverse: upright.applying(.transverse),
            .rotatedCounterClockwise: upright.applying(.rotatedClockwise),
        ]
        let reference = try ImageDecoder.decode(TestImages.jpeg(upright, quality: 100))
        for (orientation, stored) in storedFor {
            let data = JPEGEncoder.addingEXIFOrientation(orientation, to: try TestImages.jpeg(stored, quality: 100))
            let decoded = try ImageDecoder.decode(data)
            XCTAssertEqual(decoded.width, 40, "\(orientation)")
            XCTAssertEqual(decoded.height, 24, "\(orientation)")
            XCTAssertLessThan(meanAbsoluteError(decoded, reference), 3, "\(orientation)")
            let unrotated = try ImageDecoder.decode(data, options: DecodingOptions(respectsEXIFOrientation: false))
            XCTAssertEqual(unrotated.width, stored.width)
        }
    }

    func testPalettePNGWithTransparencyIsCompositedOnTheBackground() throws {
        // Index 0 opaque red, index 1 fully transparent green, index 2 half-transparent blue.
        let data = RawPNG.encode(width: 3, height: 1, bitDepth: 8, colorType: .palette, rows: [[0, 1, 2]],
                                 palette: [255, 0, 0, 0, 255, 0, 0, 0, 255], transparency: [255, 0, 128])
        let decoded = try ImageDecoder.decode(data, options: DecodingOptions(background: (255, 255, 255)))
        XCTAssertTrue(decoded.pixel(x: 0, y: 0) == (255, 0, 0))
        XCTAssertTrue(decoded.pixel(x: 1, y: 0) == (255, 255, 255))
        let half = decoded.pixel(x: 2, y: 0)
        XCTAssertEqual(half.blue, 255)
        // libpng composites in linear light: half-covered white is 186, not the 127 of a naive
        // blend of sRGB values (Pillow's alpha_composite).
        XCTAssertTrue((180...192).contains(Int(half.red)), "\(half)")
        XCTAssertEqual(half.red, half.green)
    }

    func testRGBAPNGOnABlackBackground() throws {
        let data = RawPNG.encode(width: 2, height: 1, bitDepth: 8, colorType: .rgba,
                                 rows: [[10, 20, 30, 255, 200, 200, 200, 0]])
        let decoded = try ImageDecoder.decode(data, options: DecodingOptions(background: (0, 0, 0)))
        XCTAssertTrue(decoded.pixel(x: 0, y: 0) == (10, 20, 30))
        XCTAssertTrue(decoded.pixel(x: 1, y: 0) == (0, 0, 0))
    }

    func testSixteenBitPNGsKeepTheirSRGBValues() throws {
        let levels: [UInt16] = [0, 0x1234, 0x8000, 0xC0C0, 0xFFFF]
        let rgbRow = levels.flatMap { v in [UInt8(v >> 8), UInt8(v & 0xFF), UInt8(v >> 8), UInt8(v & 0xFF), 0, 0] }
        let rgb = try ImageDecoder.decode(RawPNG.encode(width: levels.count, height: 1, bitDepth: 16, colorType: .rgb,
                                                        rows: [rgbRow]))
        let grayRow = levels.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let gray = try ImageDecoder.decode(RawPNG.encode(width: levels.count, height: 1, bitDepth: 16, colorType: .gray,
                                                         rows: [grayRow]))
        for (x, level) in levels.enumerated() {
            let expected = Double(level) / 257
            XCTAssertEqual(Double(rgb.pixel(x: x, y: 0).red), expected, accuracy: 1)
            XCTAssertEqual(rgb.pixel(x: x, y: 0).blue, 0)
            XCTAssertEqual(Double(gray.pixel(x: x, y: 0).green), expected, accuracy: 1)
        }
    }

    func testLowBitDepthGrayscalePNG() throws {
        // 2-bit grey: levels 0..3 scale to 0, 85, 170, 255.
        let data = RawPNG.encode(width: 4, height: 1, bitDepth: 2, colorType: .gray, rows: [[0b0001_1011]])
        let decoded = try ImageDecoder.decode(data)
        XCTAssertEqual((0..<4).map { decoded.pixel(x: $0, y: 0).red }, [0, 85, 170, 255])
    }

    func testBrokenFilesGiveErrorsNamingTheFile() throws {
        let jpeg = try TestImages.jpeg(TestImages.gradient(width: 64, height: 64))
        XCTAssertThrowsError(try ImageDecoder.decode(jpeg.prefix(jpeg.count / 2), name: "cut.jpg")) { error in
            guard case ImageDecodingError.corrupt(let file, let format, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "cut.jpg")
            XCTAssertEqual(format, "JPEG")
        }
        let png = RawPNG.encode(width: 8, height: 8, bitDepth: 8, colorType: .gray, rows: Array(repeating: [UInt8](repeating: 9, count: 8), count: 8))
        XCTAssertThrowsError(try ImageDecoder.decode(png.prefix(png.count - 30), name: "cut.png")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cut.png: corrupt"), "\(error)")
        }
        XCTAssertThrowsError(try ImageDecoder.decode(Data("hello, I am text".utf8), name: "notes.jpg")) { error in
            XCTAssertEqual(error as? ImageDecodingError, .notAnImage(file: "notes.jpg", leadingBytes: "68 65 6c 6c 6f 2c 20 49"))
        }
        XCTAssertThrowsError(try ImageDecoder.decode(Data(), name: "empty.png")) { error in
            XCTAssertTrue("\(error)".contains("empty.png"))
        }
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: "/nonexistent/x.png"))) { error in
            XCTAssertTrue("\(error)".hasPrefix("/nonexistent/x.png: cannot read"), "\(error)")
        }
    }

    func testDecompressionBombGuard() throws {
        let jpeg = try TestImages.jpeg(TestImages.gradient(width: 100, height: 100))
        let strict = DecodingOptions(pixelLimit: 9_999)
        XCTAssertThrowsError(try ImageDecoder.decode(jpeg, name: "big.jpg", options: strict)) { error in
            XCTAssertEqual(error as? ImageDecodingError, .tooManyPixels(file: "big.jpg", width: 100, height: 100, limit: 9_999))
            XCTAssertTrue("\(error)".contains("over the limit of 9999"))
        }
        // A PNG header claiming 60000 x 60000 is refused before any pixel is read.
        let bomb = RawPNG.encode(width: 60_000, height: 60_000, bitDepth: 8, colorType: .gray, rows: [[0]])
        XCTAssertThrowsError(try ImageDecoder.decode(bomb, name: "bomb.png")) { error in
            guard case ImageDecodingError.tooManyPixels = error else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try ImageDecoder.decode(jpeg, options: DecodingOptions(pixelLimit: 10_000)))
    }

    /// Damaged files must give an error or an image, never a crash.
    func testRandomDamageNeverCrashes() throws {
        let picture = TestImages.gradient(width: 48, height: 32)
        let originals = [
            try TestImages.jpeg(picture), try TestImages.jpeg(picture, progressive: true),
            JPEGEncoder.addingEXIFOrientation(.transverse, to: try TestImages.jpeg(picture, mode: .cmyk)),
            try PNGEncoder.encode(picture),
        ]
        var generator = SeededGenerator(seed: 3)
        var outcomes = (decoded: 0, refused: 0)
        for original in originals {
            for _ in 0..<150 {
                var bytes = [UInt8](original)
                if generator.chance(0.5) {
                    bytes = Array(bytes.prefix(generator.index(below: bytes.count)))
                } else {
                    for _ in 0..<(1 + generator.index(below: 8)) where !bytes.isEmpty {
                        bytes[generator.index(below: bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
                    }
                }
                if let image = try? ImageDecoder.decode(Data(bytes)) {
                    XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
                    outcomes.decoded += 1
                } else {
                    outcomes.refused += 1
                }
            }
        }
        XCTAssertGreaterThan(outcomes.refused, 0)
    }

    func testPNGEncoderRoundTrips() throws {
        let image = TestImages.gradient(width: 13, height: 7)
        XCTAssertEqual(try ImageDecoder.decode(PNGEncoder.encode(image)), image)
    }
}
