import Foundation
import XCTest
@testable import GraftData

/// Access to the committed Pillow reference fixtures (see Fixtures/make_fixtures.py).
enum Fixtures {
    static var folder: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    struct Manifest: Decodable {
        struct Size: Decodable { let width: Int, height: Int }
        struct Resized: Decodable { let source: String, width: Int, height: Int, filter: String }
        let images: [String: Size]
        let resized: [String: Resized]
    }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url("manifest.json")))
    }

    /// Raw RGB pixels Pillow produced, as an image of the given size.
    static func pillowPixels(_ name: String, width: Int, height: Int) throws -> RGBImage {
        RGBImage(width: width, height: height, pixels: [UInt8](try Data(contentsOf: url(name + ".rgb"))))
    }
}

/// Mean absolute difference per channel value, in 8-bit units.
func meanAbsoluteError(_ a: RGBImage, _ b: RGBImage) -> Double {
    precondition(a.width == b.width && a.height == b.height)
    var total = 0
    for i in 0..<a.pixels.count { total += abs(Int(a.pixels[i]) - Int(b.pixels[i])) }
    return Double(total) / Double(a.pixels.count)
}

func maxAbsoluteError(_ a: RGBImage, _ b: RGBImage) -> Int {
    zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
}

/// The WebP, GIF, TIFF and BMP fixtures (see Fixtures/Formats/make_format_fixtures.py).
enum FormatFixtures {
    struct Entry: Decodable { let width: Int, height: Int, tolerance: Int, expected: String }
    struct Manifest: Decodable { let pillow: String, fixtures: [String: Entry] }

    static func url(_ name: String) -> URL { Fixtures.url("Formats").appendingPathComponent(name) }

    static func manifest() throws -> Manifest {
        try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: url("formats.json")))
    }

    static func expected(_ name: String, _ entry: Entry) throws -> RGBImage {
        RGBImage(width: entry.width, height: entry.height, pixels: [UInt8](try Data(contentsOf: url(name + ".rgb"))))
    }
}
