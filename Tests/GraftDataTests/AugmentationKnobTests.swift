import Foundation
import GraftCore
import XCTest
@testable import GraftData

/// Each augmentation knob's effect on a synthetic image, against the value it was given: the
/// draws cover the range Keras' ImageDataGenerator (or torchvision) draws from, and never leave it.
final class AugmentationKnobTests: XCTestCase {
    private let side = 64

    /// A black image with one white 2x2 dot whose centre is at (x, y) from the top left.
    private func dot(x: Int, y: Int) -> PlanarImage {
        var values = [Float](repeating: 0, count: 3 * side * side)
        for c in 0..<3 {
            for dy in 0..<2 {
                for dx in 0..<2 { values[c * side * side + (y - 1 + dy) * side + (x - 1 + dx)] = 255 }
            }
        }
        return PlanarImage(width: side, height: side, values: values)
    }

    /// The centre of mass of the red plane, in pixel coordinates from the image centre.
    private func centroid(_ image: PlanarImage) -> (x: Double, y: Double) {
        var total = 0.0, sx = 0.0, sy = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = Double(image.values[y * image.width + x])
                total += v; sx += v * (Double(x) + 0.5); sy += v * (Double(y) + 0.5)
            }
        }
        return (sx / total - Double(image.width) / 2, sy / total - Double(image.height) / 2)
    }

    /// `count` draws of `jitter` on `image`.
    private func draws(_ jitter: AffineJitter, on image: PlanarImage, count: Int = 300) -> [PlanarImage] {
        var generator = SeededGenerator(seed: 21)
        return (0..<count).map { _ in jitter.apply(to: image, generator: &generator) }
    }

    func testRotationTurnsAKnownPixelByAKnownAngleAndDrawsFromPlusMinusTheRange() {
        // A dot 16 px right of the centre.
        let image = dot(x: side / 2 + 16, y: side / 2)
        // Exactly 90 degrees (inverse of the rotation by +90: (0, 1; -1, 0)): the dot goes to 16 px below the centre.
        let turned = image.warped(inverse: (a: 0, b: 1, d: -1, e: 0), shiftX: 0, shiftY: 0, fill: .nearest)
        let c = centroid(turned)
        XCTAssertEqual(c.x, 0, accuracy: 1e-6)
        XCTAssertEqual(c.y, 16, accuracy: 1e-6)
        // --rotation 20: every angle within ±20 degrees, and both ends reached.
        let angles = draws(AffineJitter(rotationDegrees: 20, fill: .nearest), on: image).map { image -> Double in
            let c = centroid(image)
            XCTAssertEqual((c.x * c.x + c.y * c.y).squareRoot(), 16, accuracy: 0.3, "a rotation keeps the distance from the centre")
            return atan2(c.y, c.x) * 180 / .pi
        }
        XCTAssertLessThanOrEqual(angles.map(abs).max()!, 20.2)
        XCTAssertGreaterThan(angles.max()!, 19)
        XCTAssertLessThan(angles.min()!, -19)
        XCTAssertEqual(angles.reduce(0, +) / Double(angles.count), 0, accuracy: 1.5, "uniform about 0")
    }

    func testShiftMovesTheContentByTheFractionOfTheWidth() {
        let image = dot(x: side / 2, y: side / 2)
        // A shift of exactly 0.2 of the width moves the dot 12.8 px right.
        let moved = centroid(image.warped(inverse: (a: 1, b: 0, d: 0, e: 1), shiftX: 0.2 * Double(side), shiftY: 0, fill: .nearest))
        XCTAssertEqual(moved.x, 12.8, accuracy: 1e-4)
        XCTAssertEqual(moved.y, 0, accuracy: 1e-6)
        // --shift 0.2: across and down, each within ±0.2 of the side, both ends nearly reached.
        let offsets = draws(AffineJitter(shift: 0.2, fill: .nearest), on: image).map(centroid)
        let limit = 0.2 * Double(side)
        for axis in [offsets.map(\.x), offsets.map(\.y)] {
            XCTAssertLessThanOrEqual(axis.map(abs).max()!, limit + 1e-3)
            XCTAssertGreaterThan(axis.max()!, 0.95 * limit)
            XCTAssertLessThan(axis.min()!, -0.95 * limit)
        }
    }

    func testZoomScalesDistancesFromTheCentreWithinOneMinusToOnePlusZ() {
        let image = dot(x: side / 2 + 20, y: side / 2)
        let scales = draws(AffineJitter(zoom: 0.1, fill: .nearest), on: image).map { centroid($0).x / 20 }
        XCTAssertGreaterThanOrEqual(scales.min()!, 0.9 - 0.01)
        XCTAssertLessThanOrEqual(scales.max()!, 1.1 + 0.01)
        XCTAssertLessThan(scales.min()!, 0.92)
        XCTAssertGreaterThan(scales.max()!, 1.08)
    }

    func testNearestFillRepeatsTheEdgeWhereReflectMirrorsIt() {
        // Columns of value x: a shift of 8 px right uncovers 8 columns on the left.
        let ramp = PlanarImage(width: side, height: side, values: (0..<(3 * side * side)).map { Float($0 % side) })
        let identity = (a: 1.0, b: 0.0, d: 0.0, e: 1.0)
        let nearest = ramp.warped(inverse: identity, shiftX: 8, shiftY: 0, fill: .nearest)
        let reflected = ramp.warped(inverse: identity, shiftX: 8, shiftY: 0, fill: .reflect)
        XCTAssertEqual(Array(nearest.values[0..<10]), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        XCTAssertEqual(Array(reflected.values[0..<10]), [7, 6, 5, 4, 3, 2, 1, 0, 0, 1])
    }

    func testFlipKnobsMirrorTheRightWayHalfTheTime() {
        XCTAssertEqual(AugmentationOverrides(flip: .vertical).applied(to: .none), Augmentation(verticalFlip: 0.5))
        XCTAssertEqual(AugmentationOverrides(flip: .horizontal).applied(to: .none), Augmentation(horizontalFlip: 0.5))
        XCTAssertEqual(AugmentationOverrides(flip: .both).applied(to: .none), Augmentation(horizontalFlip: 0.5, verticalFlip: 0.5))
        XCTAssertEqual(AugmentationOverrides(flip: FlipDirections.none).applied(to: .light).horizontalFlip, 0)
        // Through the transform: a dot in the top row lands in the bottom row in about half the samples.
        let top = RGBImage(width: 32, height: 32, pixels: (0..<(32 * 32 * 3)).map { $0 < 32 * 3 ? 255 : 0 })
        let preprocessing = Preprocessing(height: 32, width: 32, resize: .stretch, normalization: .unit)
        let transform = ImageTransform(preprocessing: preprocessing, augmentation: AugmentationOverrides(flip: .vertical).applied(to: .none))
        var flipped = 0
        for seed in 0..<200 {
            let sample = transform.render(top, seed: UInt64(seed))
            if sample[31 * 32] == 1 { flipped += 1; XCTAssertEqual(sample[0], 0) } else { XCTAssertEqual(sample[0], 1) }
        }
        XCTAssertEqual(Double(flipped) / 200, 0.5, accuracy: 0.1)
    }

    /// Mean and standard deviation of one plane.
    private func moments(_ image: PlanarImage) -> (mean: Double, std: Double) {
        let plane = image.values[0..<(image.width * image.height)].map(Double.init)
        let mean = plane.reduce(0, +) / Double(plane.count)
        return (mean, (plane.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(plane.count)).squareRoot())
    }

    /// Grey stripes between 100 and 140, far from 0 and 255, so nothing clips.
    private var stripes: PlanarImage {
        PlanarImage(width: side, height: side, values: (0..<(3 * side * side)).map { ($0 / side) % 2 == 0 ? 100 : 140 })
    }

    func testBrightnessMultipliesMeanAndSpreadByTheSameFactorWithinOnePlusMinusB() {
        let before = moments(stripes)
        var generator = SeededGenerator(seed: 5)
        var factors: [Double] = []
        for _ in 0..<300 {
            var image = stripes
            ColorJitter(brightness: 0.2).apply(to: &image, generator: &generator)
            let after = moments(image)
            let factor = after.mean / before.mean
            XCTAssertEqual(after.std / before.std, factor, accuracy: 1e-4)
            factors.append(factor)
        }
        XCTAssertGreaterThanOrEqual(factors.min()!, 0.8 - 1e-6)
        XCTAssertLessThanOrEqual(factors.max()!, 1.2 + 1e-6)
        XCTAssertLessThan(factors.min()!, 0.81)
        XCTAssertGreaterThan(factors.max()!, 1.19)
    }

    func testContrastKeepsTheMeanAndScalesTheSpreadWithinOnePlusMinusC() {
        let before = moments(stripes)
        var generator = SeededGenerator(seed: 6)
        var factors: [Double] = []
        for _ in 0..<300 {
            var image = stripes
            ColorJitter(contrast: 0.2).apply(to: &image, generator: &generator)
            let after = moments(image)
            XCTAssertEqual(after.mean, before.mean, accuracy: 1e-3)
            factors.append(after.std / before.std)
        }
        XCTAssertGreaterThanOrEqual(factors.min()!, 0.8 - 1e-6)
        XCTAssertLessThanOrEqual(factors.max()!, 1.2 + 1e-6)
        XCTAssertLessThan(factors.min()!, 0.81)
        XCTAssertGreaterThan(factors.max()!, 1.19)
    }

    func testEraseReplacesTwoToThirtyThreePercentOfTheImageInTheGivenShareOfSamples() {
        let white = RGBImage(width: 48, height: 48, red: 255, green: 255, blue: 255)
        let preprocessing = Preprocessing(height: 48, width: 48, resize: .stretch, normalization: .unit)
        let transform = ImageTransform(preprocessing: preprocessing, augmentation: AugmentationOverrides(erasing: 0.25).applied(to: .none))
        var erased = 0
        for seed in 0..<400 {
            let sample = transform.render(white, seed: UInt64(seed))
            let fraction = Double(sample[0..<(48 * 48)].filter { $0 != 1 }.count) / Double(48 * 48)
            guard fraction > 0 else { continue }
            erased += 1
            XCTAssertGreaterThan(fraction, 0.015)
            XCTAssertLessThan(fraction, 0.34)
        }
        XCTAssertEqual(Double(erased) / 400, 0.25, accuracy: 0.06)
    }

    func testMixUpAndCutMixKnobsSetTheirAlphasAndZeroTurnsThemOff() {
        XCTAssertEqual(AugmentationOverrides(mixUpAlpha: 0.2).applied(to: .none).mixing,
                       BatchMixing(probability: 1, mixUpAlpha: 0.2, cutMixAlpha: nil))
        XCTAssertEqual(AugmentationOverrides(mixUpAlpha: 0.2, cutMixAlpha: 1).applied(to: .none).mixing,
                       BatchMixing(probability: 1, mixUpAlpha: 0.2, cutMixAlpha: 1))
        XCTAssertNil(AugmentationOverrides(mixUpAlpha: 0).applied(to: .none).mixing)
    }

    func testExplicitValuesReplaceThePresetsAndTheRestIsKept() {
        XCTAssertEqual(AugmentationOverrides().applied(to: .light), .light)
        XCTAssertEqual(AugmentationOverrides().applied(to: .none), .none)
        let light = AugmentationOverrides(rotationDegrees: 20).applied(to: .light)
        XCTAssertEqual(light.randomResizedCrop, Augmentation.light.randomResizedCrop)
        XCTAssertEqual(light.horizontalFlip, 0.5)
        XCTAssertEqual(light.affine, AffineJitter(probability: 1, rotationDegrees: 20, zoom: 0.1, fill: .nearest))
        XCTAssertEqual(AugmentationOverrides(fill: .nearest).applied(to: .light).affine?.fill, .nearest)
        let strong = AugmentationOverrides(brightness: 0.1, erasing: 0).applied(to: .strong)
        XCTAssertEqual(strong.color?.brightness, 0.1)
        XCTAssertEqual(strong.color?.contrast, 0.4)
        XCTAssertNil(strong.erasing)
        // The seed tutorial's ImageDataGenerator(rotation_range=20, width_shift_range=0.2,
        // height_shift_range=0.2, horizontal_flip=True): nothing else, every image warped.
        XCTAssertEqual(AugmentationOverrides(rotationDegrees: 20, shift: 0.2, flip: .horizontal).applied(to: .none),
                       Augmentation(horizontalFlip: 0.5, affine: AffineJitter(probability: 1, rotationDegrees: 20, shift: 0.2, fill: .nearest)))
    }

    func testOutOfRangeKnobsAreRefusedByName() {
        let cases: [(AugmentationOverrides, String)] = [
            (AugmentationOverrides(rotationDegrees: 181), "rotationDegrees"), (AugmentationOverrides(shift: 1), "shift"),
            (AugmentationOverrides(zoom: -0.1), "zoom"), (AugmentationOverrides(brightness: .nan), "brightness"),
            (AugmentationOverrides(contrast: 2), "contrast"), (AugmentationOverrides(erasing: 1.5), "erasing"),
            (AugmentationOverrides(mixUpAlpha: -1), "mixUpAlpha"), (AugmentationOverrides(cutMixAlpha: .infinity), "cutMixAlpha"),
        ]
        for (overrides, name) in cases {
            XCTAssertThrowsError(try overrides.validate()) { XCTAssertEqual(($0 as? InvalidSetting)?.name, name) }
        }
        XCTAssertNoThrow(try AugmentationOverrides(rotationDegrees: 20, shift: 0.2, zoom: 0.1, brightness: 0.2, contrast: 0.2,
                                                   erasing: 0.25, mixUpAlpha: 0.2, cutMixAlpha: 1).validate())
    }
}
