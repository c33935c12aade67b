import Foundation
import XCTest
@testable import GraftData

/// Decoded pixels and resizes compared with Pillow's, from committed fixtures.
final class PillowParityTests: XCTestCase {
    func testDecodedPixelsMatchPillowExactly() throws {
        let manifest = try Fixtures.manifest()
        for name in ["photo.png", "baseline.jpg", "progressive.jpg", "grayscale.jpg", "palette.png", "cmyk.jpg",
                     "exif-rotated.jpg"] {
            let size = try XCTUnwrap(manifest.images[name])
            let ours = try ImageDecoder.decode(contentsOf: Fixtures.url(name))
            let pillow = try Fixtures.pillowPixels(name, width: size.width, height: size.height)
            XCTAssertEqual(ours.width, pillow.width, name)
            XCTAssertEqual(ours.height, pillow.height, name)
            guard ours.width == pillow.width, ours.height == pillow.height else { continue }
            XCTAssertEqual(maxAbsoluteError(ours, pillow), 0, "\(name) differs from Pillow's decode")
        }
    }

    func testAntialiasedResizeMatchesPillow() throws {
        let manifest = try Fixtures.manifest()
        XCTAssertFalse(manifest.resized.isEmpty)
        for (name, case_) in manifest.resized.sorted(by: { $0.key < $1.key }) {
            let source = try ImageDecoder.decode(contentsOf: Fixtures.url(case_.source))
            let filter = try XCTUnwrap(ResampleFilter(rawValue: case_.filter))
            let ours = Resampler.resize(source, width: case_.width, height: case_.height, filter: filter)
            let pillow = try Fixtures.pillowPixels(name, width: case_.width, height: case_.height)
            let mae = meanAbsoluteError(ours, pillow)
            XCTAssertLessThanOrEqual(mae, 2, "\(name): mean absolute error \(mae) / 255")
            // In practice the float filter lands within one level of Pillow's fixed point.
            XCTAssertLessThanOrEqual(maxAbsoluteError(ours, pillow), 1, name)
            // The float path used for training samples agrees with the 8-bit one.
            let planar = Resampler.resample(source, box: CropBox(covering: source.width, source.height),
                                            width: case_.width, height: case_.height, filter: filter)
            XCTAssertLessThanOrEqual(meanAbsoluteError(planar.rgbImage(), pillow), 2, name)
        }
    }

    /// Shrinking 10x must average the whole footprint: a naive bilinear that samples 2x2 pixels
    /// per output would miss the thin lines entirely and differ from Pillow by far more.
    func testTenfoldShrinkIsAntialiased() throws {
        let source = try ImageDecoder.decode(contentsOf: Fixtures.url("large.png"))
        let pillow = try Fixtures.pillowPixels("large-24x18-bilinear", width: 24, height: 18)
        let ours = Resampler.resize(source, width: 24, height: 18, filter: .bilinear)
        XCTAssertLessThanOrEqual(meanAbsoluteError(ours, pillow), 1)
    }
}
