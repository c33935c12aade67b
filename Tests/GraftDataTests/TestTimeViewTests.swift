import GraftCore
import XCTest
@testable import GraftData

/// The views test-time augmentation averages: torchvision's ten-crop geometry for each resize
/// rule, mirrors that are exact, and the plain view unchanged.
final class TestTimeViewTests: XCTestCase {
    /// Grey, with a white 4 x 4 square in the top-left corner and a black one in the
    /// bottom-right corner: visible in the matching corner crops only.
    func image(width: Int, height: Int) -> RGBImage {
        var pixels = [UInt8](repeating: 128, count: width * height * 3)
        for y in 0..<4 {
            for x in 0..<4 {
                for c in 0..<3 {
                    pixels[(y * width + x) * 3 + c] = 255
                    pixels[((height - 1 - y) * width + width - 1 - x) * 3 + c] = 0
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    lazy var photo = image(width: 80, height: 60)

    func render(_ rule: ResizeRule, _ view: TestTimeView?, of source: RGBImage? = nil) -> [Float] {
        var transform = ImageTransform(preprocessing: Preprocessing(height: 32, width: 32, resize: rule, normalization: .unit))
        transform.view = view
        return transform.render(source ?? photo, seed: 0)
    }

    /// A square image, so the crop-first rule's central square is the whole image too.
    func testEachRuleMovesTheCropToTheCorners() {
        let square = image(width: 64, height: 64)
        for rule in [ResizeRule.shorterSideThenCenterCrop(40), .centralSquareThenResize(fraction: 0.8), .stretch] {
            let center = render(rule, TestTimeView(position: .center, mirrored: false), of: square)
            XCTAssertTrue(center == render(rule, nil, of: square), "\(rule): the centre view is the plain one")
            let topLeft = render(rule, TestTimeView(position: .topLeft, mirrored: false), of: square)
            let bottomRight = render(rule, TestTimeView(position: .bottomRight, mirrored: false), of: square)
            let topRight = render(rule, TestTimeView(position: .topRight, mirrored: false), of: square)
            XCTAssertGreaterThan(topLeft[0], 0.9, "\(rule): the white corner is in the top-left crop")
            XCTAssertLessThan(bottomRight[32 * 32 - 1], 0.1, "\(rule): the black corner is in the bottom-right crop")
            XCTAssertEqual(topRight[0], 128.0 / 255, accuracy: 1e-6, "\(rule): the top-right crop misses the white corner")
            if rule != .stretch {
                XCTAssertEqual(center[0], 128.0 / 255, accuracy: 1e-6, "\(rule): the centre crop misses the corners")
            }
        }
    }

    /// For a resize-then-crop rule the corner crops are torchvision's: the resized image is
    /// 53 x 40 (80 x 60 to a shorter side of 40), so the 32 x 32 top-right crop starts 21
    /// resized pixels from the left; the crop from the image resized by hand agrees.
    func testCornerCropsMatchCroppingTheResizedImage() {
        let rule = ResizeRule.shorterSideThenCenterCrop(40)
        let resized = Resampler.resize(photo, shorterSide: 40, filter: .bilinear)
        XCTAssertEqual([resized.width, resized.height], [53, 40])
        let byHand = ImageTransform(preprocessing: Preprocessing(height: 32, width: 32, resize: .stretch, normalization: .unit))
            .render(resized.cropped(x: 21, y: 0, width: 32, height: 32), seed: 0)
        let view = render(rule, TestTimeView(position: .topRight, mirrored: false))
        XCTAssertEqual(zip(view, byHand).map { abs($0 - $1) }.max() ?? 1, 0, accuracy: 2.0 / 255,
                       "one resample against two (resize, then crop) differ by rounding only")
    }

    func testMirroredViewsAreExactMirrors() {
        for position in TestTimeView.Position.allCases {
            let plain = render(.shorterSideThenCenterCrop(40), TestTimeView(position: position, mirrored: false))
            let mirrored = render(.shorterSideThenCenterCrop(40), TestTimeView(position: position, mirrored: true))
            for c in 0..<3 {
                for y in 0..<32 {
                    for x in 0..<32 { XCTAssertEqual(mirrored[c * 1024 + y * 32 + x], plain[c * 1024 + y * 32 + 31 - x]) }
                }
            }
        }
    }

    func testTheViewsOfEachAugmentation() {
        XCTAssertEqual(TestTimeAugmentation.flip.views.map(\.description), ["center", "center, mirrored"])
        let ten = TestTimeAugmentation.tenCrop.views
        XCTAssertEqual(ten.count, 10)
        XCTAssertEqual(Set(ten.map(\.description)).count, 10)
        XCTAssertEqual(ten[0], TestTimeView(position: .center, mirrored: false), "the plain view comes first")
    }
}
