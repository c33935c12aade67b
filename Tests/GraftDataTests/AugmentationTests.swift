import GraftCore
import XCTest
@testable import GraftData

final class AugmentationTests: XCTestCase {
    let source = TestImages.gradient(width: 80, height: 60)
    let preprocessing = Preprocessing(height: 32, width: 32, resize: .shorterSideThenCenterCrop(36), normalization: .unit)

    func testSameSeedSameSampleAndDifferentSeedDifferentSample() {
        for preset in Augmentation.presetNames {
            let t = ImageTransform(preprocessing: preprocessing, augmentation: Augmentation.preset(named: preset))
            XCTAssertEqual(t.render(source, seed: 1), t.render(source, seed: 1), preset)
            if preset != "none" { XCTAssertNotEqual(t.render(source, seed: 1), t.render(source, seed: 2), preset) }
        }
        XCTAssertNil(Augmentation.preset(named: "extreme"))
    }

    func testNoneEqualsEvaluation() {
        let evaluation = ImageTransform(preprocessing: preprocessing).render(source, seed: 3)
        XCTAssertEqual(ImageTransform(preprocessing: preprocessing, augmentation: Augmentation.none).render(source, seed: 3), evaluation)
    }

    func testFlipsMirrorExactly() {
        let plain = ImageTransform(preprocessing: preprocessing).render(source, seed: 0)
        let flipped = ImageTransform(preprocessing: preprocessing, augmentation: Augmentation(horizontalFlip: 1)).render(source, seed: 0)
        for c in 0..<3 {
            for y in 0..<32 {
                for x in 0..<32 {
                    XCTAssertEqual(flipped[c * 1024 + y * 32 + x], plain[c * 1024 + y * 32 + 31 - x])
                }
            }
        }
        let upsideDown = ImageTransform(preprocessing: preprocessing, augmentation: Augmentation(verticalFlip: 1)).render(source, seed: 0)
        XCTAssertEqual(upsideDown[0], plain[31 * 32])
    }

    func testAffineWithZeroMagnitudeIsIdentityAndRotationMovesPixels() {
        let plain = ImageTransform(preprocessing: preprocessing).render(source, seed: 0)
        let still = ImageTransform(preprocessing: preprocessing, augmentation: Augmentation(affine: AffineJitter())).render(source, seed: 0)
        XCTAssertEqual(zip(still, plain).map { abs($0 - $1) }.max()!, 0, accuracy: 1e-5)
        let rotated = ImageTransform(preprocessing: preprocessing,
                                     augmentation: Augmentation(affine: AffineJitter(rotationDegrees: 30, shearDegrees: 10)))
            .render(source, seed: 0)
        XCTAssertGreaterThan(zip(rotated, plain).map { abs($0 - $1) }.reduce(0, +) / Float(plain.count), 0.01)
        XCTAssertTrue(rotated.allSatisfy { $0 >= 0 && $0 <= 1 }, "reflected borders stay in range")
    }

    func testRandomResizedCropStaysInsideTheImage() {
        let crop = RandomResizedCrop(scale: 0.08...1)
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<200 {
            let box = crop.box(width: 80, height: 60, generator: &generator)
            XCTAssertGreaterThanOrEqual(box.x, 0); XCTAssertGreaterThanOrEqual(box.y, 0)
            XCTAssertLessThanOrEqual(box.x + box.width, 80); XCTAssertLessThanOrEqual(box.y + box.height, 60)
            XCTAssertGreaterThan(box.width * box.height, 0)
        }
    }

    func testColorJitterKeepsRangeAndHueRotationKeepsGrey() {
        let jitter = Augmentation(color: ColorJitter(brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.5))
        let sample = ImageTransform(preprocessing: preprocessing, augmentation: jitter).render(source, seed: 9)
        XCTAssertTrue(sample.allSatisfy { $0 >= 0 && $0 <= 1 })
        let grey = RGBImage(width: 40, height: 40, red: 90, green: 90, blue: 90)
        let hueOnly = Augmentation(color: ColorJitter(hue: 0.5))
        let out = ImageTransform(preprocessing: preprocessing, augmentation: hueOnly).render(grey, seed: 4)
        XCTAssertEqual(out.max()!, 90.0 / 255, accuracy: 1e-5)
        XCTAssertEqual(out.min()!, 90.0 / 255, accuracy: 1e-5)
    }

    func testRandomErasingFillsARectangleWithNoise() {
        let white = RGBImage(width: 40, height: 40, red: 255, green: 255, blue: 255)
        let erase = Augmentation(erasing: RandomErasing(probability: 1))
        let out = ImageTransform(preprocessing: preprocessing, augmentation: erase).render(white, seed: 2)
        let changed = out.filter { $0 != 1 }.count
        XCTAssertGreaterThan(changed, 3 * 1024 / 60)
        XCTAssertLessThan(changed, 3 * 1024 / 2)
    }

    func testMixUpAndCutMixGiveSoftTargetsThatSumToOne() {
        let n = 4, size = 3 * 8 * 8
        for mixing in [BatchMixing(mixUpAlpha: 0.4, cutMixAlpha: nil), BatchMixing(mixUpAlpha: nil, cutMixAlpha: 1)] {
            var pixels = (0..<n).flatMap { i in [Float](repeating: Float(i), count: size) }
            var generator = SeededGenerator(seed: 11)
            let targets = pixels.withUnsafeMutableBufferPointer {
                mixing.apply(to: $0.baseAddress!, labels: [0, 1, 2, 1], classCount: 3, channels: 3, height: 8, width: 8,
                             generator: &generator)
            }
            let soft = try! XCTUnwrap(targets)
            for i in 0..<n { XCTAssertEqual(soft[(i * 3)..<(i * 3 + 3)].reduce(0, +), 1, accuracy: 1e-5) }
            // Image 0's weight on its own class equals the share of its own pixels left.
            let ownShare = pixels[0..<size].map { 1 - $0 / 3 }.reduce(0, +) / Float(size)
            XCTAssertEqual(soft[0], ownShare, accuracy: 1e-4)
        }
    }
}
