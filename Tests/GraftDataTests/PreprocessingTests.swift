import XCTest
@testable import GraftData

final class PreprocessingTests: XCTestCase {
    func testShorterSideThenCenterCropEqualsResizeThenCrop() throws {
        let source = try ImageDecoder.decode(contentsOf: Fixtures.url("large.png"))  // 240 x 180
        let p = Preprocessing(height: 64, width: 64, resize: .shorterSideThenCenterCrop(72), normalization: .unit)
        let sample = ImageTransform(preprocessing: p).render(source, seed: 0)
        // Two steps the torchvision way: resize to 96 x 72, crop the centre 64 x 64 at (16, 4).
        let resized = Resampler.resize(source, width: 96, height: 72)
        var worst: Float = 0
        for c in 0..<3 {
            for y in 0..<64 {
                for x in 0..<64 {
                    let expected = Float(resized.pixels[((y + 4) * 96 + x + 16) * 3 + c]) / 255
                    worst = max(worst, abs(sample[c * 4096 + y * 64 + x] - expected))
                }
            }
        }
        XCTAssertLessThanOrEqual(worst, 1.5 / 255, "one pass versus two rounded passes")
    }

    func testEfficientNetLiteMatchesTheReferencePreprocessing() throws {
        let source = try ImageDecoder.decode(contentsOf: Fixtures.url("large.png"))
        let pillow = try Fixtures.pillowPixels("large-efficientnet-lite-32", width: 32, height: 32)
        let sample = ImageTransform(preprocessing: .efficientNetLite(inputSize: 32)).render(source)
        // Back from (x - 127) / 128 to pixel values, interleaved like Pillow's.
        var ours = [UInt8](repeating: 0, count: 32 * 32 * 3)
        for c in 0..<3 {
            for i in 0..<1024 { ours[3 * i + c] = UInt8(max(0, min(255, (sample[c * 1024 + i] * 128 + 127).rounded()))) }
        }
        let image = RGBImage(width: 32, height: 32, pixels: ours)
        XCTAssertLessThanOrEqual(meanAbsoluteError(image, pillow), 0.5)
        XCTAssertLessThanOrEqual(maxAbsoluteError(image, pillow), 1)
    }

    func testNormalizationsAndChannelOrder() throws {
        let grey = RGBImage(width: 8, height: 8, red: 255, green: 127, blue: 0)
        var lite = Preprocessing.efficientNetLite(inputSize: 4)
        XCTAssertEqual(lite.resize, .centralSquareThenResize(fraction: 0.875))
        var sample = ImageTransform(preprocessing: lite).render(grey, seed: 0)
        XCTAssertEqual(sample[0], 1, accuracy: 1e-5)          // (255 - 127) / 128
        XCTAssertEqual(sample[16], 0, accuracy: 1e-5)
        XCTAssertEqual(sample[32], -127.0 / 128, accuracy: 1e-5)
        lite.channelOrder = .bgr
        sample = ImageTransform(preprocessing: lite).render(grey, seed: 0)
        XCTAssertEqual(sample[0], -127.0 / 128, accuracy: 1e-5)
        XCTAssertEqual(sample[32], 1, accuracy: 1e-5)

        var imageNet = Preprocessing.imageNet
        imageNet.height = 4; imageNet.width = 4
        sample = ImageTransform(preprocessing: imageNet).render(grey, seed: 0)
        XCTAssertEqual(sample[0], (1 - 0.485) / 0.229, accuracy: 1e-4)
        XCTAssertEqual(sample[16], (127.0 / 255 - 0.456) / 0.224, accuracy: 1e-4)
        XCTAssertEqual(sample[32], -0.406 / 0.225, accuracy: 1e-4)
    }

    func testStretchIgnoresAspectRatioAndUpsamplesSmallImages() {
        let p = Preprocessing(height: 10, width: 30, resize: .stretch, normalization: .unit)
        let tiny = TestImages.gradient(width: 3, height: 2)
        let sample = ImageTransform(preprocessing: p).render(tiny, seed: 0)
        XCTAssertEqual(sample.count, 3 * 10 * 30)
        XCTAssertEqual(sample[0], 0, accuracy: 1e-6)                      // left edge red is 0
        XCTAssertEqual(sample[29], 1, accuracy: 1e-6)                     // right edge red is 255
    }

    func testTensorForPrediction() {
        let t = ImageTransform(preprocessing: Preprocessing(height: 8, width: 6, resize: .stretch, normalization: .unit))
        let images = [TestImages.gradient(width: 12, height: 9), RGBImage(width: 3, height: 3, red: 255, green: 0, blue: 0)]
        let tensor = t.tensor(for: images)
        XCTAssertEqual(tensor.shape, [2, 3, 8, 6])
        XCTAssertEqual(Array(tensor.values[0..<144]), t.render(images[0]))
        XCTAssertEqual(tensor.values[144], 1)
    }

    func testPrepareShrinksOnlyLargePhotos() {
        let t = ImageTransform(preprocessing: .imageNet)
        let large = RGBImage(width: 1200, height: 600, red: 1, green: 2, blue: 3)
        let prepared = t.prepare(large)
        XCTAssertEqual([prepared.width, prepared.height], [512, 256])
        let small = RGBImage(width: 1000, height: 500, red: 1, green: 2, blue: 3)
        XCTAssertEqual(t.prepare(small), small)
    }
}
