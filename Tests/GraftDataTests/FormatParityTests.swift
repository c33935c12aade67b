import Foundation
import XCTest
@testable import GraftData

/// WebP, GIF, TIFF and BMP files decoded as Pillow decodes them (made opaque by Graft's rule),
/// from committed fixtures: each within the tolerance its manifest entry states, 0 unless a
/// lossy codec or a 16-bit reduction is involved.
final class FormatParityTests: XCTestCase {
    func testEveryFixtureDecodesToPillowsPixels() throws {
        let manifest = try FormatFixtures.manifest()
        var formats = Set<ImageFormat>()
        for (name, entry) in manifest.fixtures.sorted(by: { $0.key < $1.key }) {
            let data = try Data(contentsOf: FormatFixtures.url(name))
            let format = try data.withUnsafeBytes { try ImageDecoder.format(of: $0, name: name) }
            formats.insert(format)
            let ours = try ImageDecoder.decode(contentsOf: FormatFixtures.url(name))
            let pillow = try FormatFixtures.expected(name, entry)
            XCTAssertEqual(ours.width, pillow.width, name)
            XCTAssertEqual(ours.height, pillow.height, name)
            guard ours.width == pillow.width, ours.height == pillow.height else { continue }
            let error = maxAbsoluteError(ours, pillow)
            XCTAssertLessThanOrEqual(error, entry.tolerance, "\(name): \(error) levels from \(entry.expected)")
            let size = try ImageDecoder.dimensions(contentsOf: FormatFixtures.url(name))
            XCTAssertTrue(size == (pillow.width, pillow.height), "\(name): dimensions \(size)")
        }
        XCTAssertEqual(formats, [.webp, .gif, .tiff, .bmp])
    }
}
