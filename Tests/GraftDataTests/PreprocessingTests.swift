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

    /// Letterboxing: the whole image at its aspect ratio, centred, black elsewhere; a wide image
    /// gets bars above and below, a tall one left and right.
    func testPadFitsTheWholeImageOnBlack() throws {
        let source = try ImageDecoder.decode(contentsOf: Fixtures.url("large.png"))  // 240 x 180
        let p = Preprocessing(height: 64, width: 64, resize: .pad, normalization: .unit)
        let sample = ImageTransform(preprocessing: p).render(source, seed: 0)
        // 240 x 180 fits 64 x 64 as 64 x 48, 8 rows of black above and below.
        let fitted = ImageTransform(preprocessing: Preprocessing(height: 48, width: 64, resize: .stretch, normalization: .unit))
            .render(source, seed: 0)
        for c in 0..<3 {
            for y in 0..<64 {
                for x in 0..<64 {
                    let value = sample[c * 4096 + y * 64 + x]
                    if y < 8 || y >= 56 {
                        XCTAssertEqual(value, 0, "channel \(c) (\(x), \(y)) is a bar")
                    } else {
                        XCTAssertEqual(value, fitted[c * 3072 + (y - 8) * 64 + x], "channel \(c) (\(x), \(y))")
                    }
                }
            }
        }
        let tall = TestImages.gradient(width: 10, height: 40)
        let narrow = ImageTransform(preprocessing: Preprocessing(height: 20, width: 20, resize: .pad, normalization: .unit)).render(tall, seed: 0)
        for y in 0..<20 {
            let row = Array(narrow[(y * 20)..<(y * 20 + 20)])
            XCTAssertEqual(Array(row[0..<5]) + Array(row[15..<20]), [Float](repeating: 0, count: 10), "row \(y) has bars of 5 on each side")
        }
        XCTAssertEqual(p.cacheShorterSide, 64)
    }

    /// `--resize`: crop keeps a backbone's cropping rule and gives a stretching one
    /// torchvision's; stretch and pad replace any rule.
    func testResizeModesChooseTheRule() {
        let lite = Preprocessing.efficientNetLite(inputSize: 224)
        XCTAssertEqual(lite.resizing(.crop), lite)
        XCTAssertEqual(lite.resizing(.stretch).resize, .stretch)
        XCTAssertEqual(lite.resizing(.pad).resize, .pad)
        XCTAssertEqual(lite.resizing(.pad).filter, lite.filter)
        XCTAssertEqual(Preprocessing.imageNet.resizing(.crop), .imageNet)
        XCTAssertEqual(Preprocessing.caffe.resizing(.crop).resize, .shorterSideThenCenterCrop(256))
        XCTAssertEqual(Preprocessing.caffe.resizing(.crop).normalization, Preprocessing.caffe.normalization)
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
