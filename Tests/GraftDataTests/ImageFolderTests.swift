import Foundation
import XCTest
@testable import GraftData

final class ImageFolderTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ data: Data, _ path: String, in base: URL? = nil) throws {
        let url = (base ?? root).appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// The issue's folder: JPEGs and PNGs of every kind, a GIF, WebP, TIFF and BMP, a truncated
    /// file, a text file named .jpg, a HEIC, hidden and non-image files, and an empty class folder.
    private func buildEveryKindFolder() throws {
        let picture = TestImages.gradient(width: 24, height: 16)
        let jpeg = try TestImages.jpeg(picture)
        try write(jpeg, "cats/baseline.jpg")
        try write(try TestImages.jpeg(picture, mode: .grayscale), "cats/grayscale.JPG")
        try write(try TestImages.jpeg(picture, mode: .cmyk), "cats/cmyk.jpeg")
        try write(try TestImages.jpeg(picture, progressive: true), "cats/progressive.jpg")
        try write(JPEGEncoder.addingEXIFOrientation(.rotatedClockwise, to: jpeg), "cats/rotated.jpg")
        let large = try TestImages.jpeg(TestImages.gradient(width: 128, height: 128))
        try write(large.prefix(large.count * 2 / 3), "cats/truncated.jpg")
        try write(Data("not really a picture".utf8), "cats/notes.jpg")
        try write(Data("readme".utf8), "cats/readme.txt")
        try write(jpeg, "cats/.hidden.jpg")
        try write(jpeg, ".cache/ignored.jpg")
        try write(try PNGEncoder.encode(picture), "dogs/rgb.png")
        try write(RawPNG.encode(width: 2, height: 1, bitDepth: 8, colorType: .palette, rows: [[0, 1]],
                                palette: [1, 2, 3, 4, 5, 6]), "dogs/palette.png")
        try write(RawPNG.encode(width: 1, height: 1, bitDepth: 16, colorType: .gray, rows: [[0x80, 0]]), "dogs/gray16.png")
        try write(RawPNG.encode(width: 1, height: 1, bitDepth: 8, colorType: .rgba, rows: [[9, 9, 9, 128]]), "dogs/nested/alpha.png")
        for (fixture, path) in [("gif-animated.gif", "dogs/animated.gif"), ("webp-lossless-alpha.webp", "dogs/lossless.webp"),
                                ("tiff-rgb-lzw.tif", "cats/scan.tif"), ("bmp-8-palette.bmp", "cats/old.bmp")] {
            try write(try Data(contentsOf: FormatFixtures.url(fixture)), path)
        }
        try write(Data([0, 0, 0, 0x18]) + Data("ftypheic".utf8), "dogs/photo.heic")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
    }

    func testEmptyClassFolderIsAnErrorNamingIt() throws {
        try buildEveryKindFolder()
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertEqual(error as? DatasetError, .emptyClassFolder(path: root.appendingPathComponent("empty").path))
            XCTAssertTrue("\(error)".contains("/empty: class folder has no JPEG, PNG, WebP, GIF, TIFF or BMP images"))
        }
    }

    func testEveryKindOfImageIsReadAndBrokenOnesAreSkippedWithWarnings() throws {
        try buildEveryKindFolder()
        try FileManager.default.removeItem(at: root.appendingPathComponent("empty"))
        let folder = try ImageFolder(root: root)
        XCTAssertEqual(folder.layout, .classFolders)
        XCTAssertEqual(folder.classNames, ["cats", "dogs"])
        let names = folder.train.samples.map { String($0.url.path.dropFirst(root.path.count + 1)) }
        XCTAssertEqual(names, ["cats/baseline.jpg", "cats/cmyk.jpeg", "cats/grayscale.JPG", "cats/old.bmp", "cats/progressive.jpg",
                               "cats/rotated.jpg", "cats/scan.tif", "dogs/animated.gif", "dogs/gray16.png", "dogs/lossless.webp",
                               "dogs/nested/alpha.png", "dogs/palette.png", "dogs/rgb.png"])
        XCTAssertEqual(folder.train.classCounts, [7, 6])
        XCTAssertEqual(folder.skipped.map { URL(fileURLWithPath: $0.file).lastPathComponent }, ["notes.jpg", "truncated.jpg"])
        let skipLines = folder.warnings.filter { $0.hasPrefix("warning: skipping ") }
        XCTAssertEqual(skipLines.count, 2)
        XCTAssertTrue(skipLines[0].contains("notes.jpg: not a JPEG, PNG, WebP, GIF, TIFF or BMP image"), skipLines[0])
        XCTAssertTrue(skipLines[1].contains("truncated.jpg: corrupt or truncated JPEG"), skipLines[1])
        XCTAssertTrue(folder.warnings.contains("skipped 2 of 15 images that could not be decoded"), "\(folder.warnings)")
        XCTAssertTrue(folder.warnings.contains { $0.contains("ignored 1 file(s) in formats Graft cannot decode (.heic)") })
        XCTAssertTrue(folder.summary.contains("train 7"), folder.summary)

        // Every listed image decodes to RGB of the expected size; the rotated one is upright.
        for sample in folder.train.samples {
            let image = try ImageDecoder.decode(contentsOf: sample.url)
            XCTAssertEqual(image.pixels.count, image.width * image.height * 3)
            if sample.url.lastPathComponent == "rotated.jpg" { XCTAssertEqual([image.width, image.height], [16, 24]) }
        }
        let alpha = try ImageDecoder.decode(contentsOf: root.appendingPathComponent("dogs/nested/alpha.png"))
        XCTAssertGreaterThan(alpha.pixel(x: 0, y: 0).red, 100, "half-transparent dark grey composited on white")
    }

    /// What a data-parallel job's rank 0 sends the others: the scan as JSON and back, equal in
    /// every part (skipped files and warnings included), and a file gone is reported as missing.
    func testASnapshotOfAScanSurvivesJSONAndFindsMissingFiles() throws {
        try buildEveryKindFolder()
        try FileManager.default.removeItem(at: root.appendingPathComponent("empty"))
        let folder = try ImageFolder(root: root, options: ImageFolderOptions(validationFraction: 0.3))
        let snapshot = DatasetSnapshot(of: folder)
        let copy = try JSONDecoder().decode(DatasetSnapshot.self, from: JSONEncoder().encode(snapshot))
        XCTAssertEqual(copy, snapshot)
        XCTAssertEqual(copy.train.samples, folder.train.samples)
        XCTAssertEqual(copy.validation?.samples, folder.validation?.samples)
        XCTAssertEqual(copy.skipped, folder.skipped)
        XCTAssertEqual(copy.warnings, folder.warnings)
        XCTAssertEqual(copy.summary, folder.summary)
        XCTAssertEqual(copy.evaluationSplit.name, folder.evaluationSplit.name)
        XCTAssertEqual(copy.evaluationSplit.images.samples, folder.evaluationSplit.images.samples)
        XCTAssertEqual(copy.missingFiles(), [])
        let gone = folder.train.samples[1].url
        try FileManager.default.removeItem(at: gone)
        XCTAssertEqual(copy.missingFiles(), [gone])
    }

    func testStrictModeTurnsUnreadableImagesIntoAnError() throws {
        try buildEveryKindFolder()
        try FileManager.default.removeItem(at: root.appendingPathComponent("empty"))
        XCTAssertThrowsError(try ImageFolder(root: root, options: ImageFolderOptions(strict: true))) { error in
            guard case DatasetError.unreadableImages(let count, let first) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(count, 2)
            XCTAssertTrue(first[0].contains("notes.jpg"))
        }
        // Header verification catches the text file but not the truncation.
        let quick = try ImageFolder(root: root, options: ImageFolderOptions(verification: .header))
        XCTAssertEqual(quick.skipped.count, 1)
    }

    func testFewerThanTwoClassesIsAnError() throws {
        try write(try PNGEncoder.encode(TestImages.gradient(width: 4, height: 4)), "only/a.png")
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertEqual(error as? DatasetError, .tooFewClasses(root: root.path, found: ["only"]))
        }
    }

    func testClassWhoseImagesAreAllBrokenIsAnError() throws {
        try write(try PNGEncoder.encode(TestImages.gradient(width: 4, height: 4)), "good/a.png")
        try write(Data("x".utf8), "bad/a.png")
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertEqual(error as? DatasetError, .noUsableImages(classFolder: root.appendingPathComponent("bad").path, skipped: 1))
        }
    }

    private func writeSplitFolder(validationClasses: [String: Int], classes: [String: Int] = ["a": 3, "b": 3]) throws {
        let png = try PNGEncoder.encode(TestImages.gradient(width: 4, height: 4))
        for (name, count) in classes { for i in 0..<count { try write(png, "train/\(name)/\(i).png") } }
        for (name, count) in validationClasses {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("validation/\(name)"), withIntermediateDirectories: true)
            for i in 0..<count { try write(png, "validation/\(name)/\(i).png") }
        }
        try write(png, "test/a/0.png")
    }

    func testSplitFolders() throws {
        try writeSplitFolder(validationClasses: ["a": 1, "b": 2])
        let folder = try ImageFolder(root: root)
        XCTAssertEqual(folder.layout, .splitFolders)
        XCTAssertEqual(folder.classNames, ["a", "b"])
        XCTAssertEqual(folder.train.classCounts, [3, 3])
        XCTAssertEqual(folder.validation?.classCounts, [1, 2])
        XCTAssertEqual(folder.test?.classCounts, [1, 0])
    }

    func testValidationClassWithNoImagesIsAnErrorNamingTheFolder() throws {
        try writeSplitFolder(validationClasses: ["a": 1, "b": 0])
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertEqual(error as? DatasetError, .validationClassEmpty(path: root.appendingPathComponent("validation/b").path, images: 0))
        }
        try FileManager.default.removeItem(at: root.appendingPathComponent("validation/b"))
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertTrue("\(error)".contains("validation/b: no validation images"), "\(error)")
        }
    }

    func testStratifiedValidationSplitIsReproducibleAndCoversEveryClass() throws {
        let png = try PNGEncoder.encode(TestImages.gradient(width: 4, height: 4))
        for i in 0..<20 { try write(png, "big/\(String(format: "%02d", i)).png") }
        for i in 0..<4 { try write(png, "small/\(i).png") }
        let options = ImageFolderOptions(validationFraction: 0.25, seed: 7, verification: .none)
        let first = try ImageFolder(root: root, options: options)
        let again = try ImageFolder(root: root, options: options)
        XCTAssertEqual(first.validation?.samples, again.validation?.samples)
        XCTAssertEqual(first.validation?.classCounts, [5, 1])
        XCTAssertEqual(first.train.classCounts, [15, 3])
        let overlap = Set(first.train.samples).intersection(first.validation!.samples)
        XCTAssertTrue(overlap.isEmpty)
        var other = options
        other.seed = 8
        XCTAssertNotEqual(try ImageFolder(root: root, options: other).validation?.samples, first.validation?.samples)
        XCTAssertTrue(first.warnings.contains { $0.contains("classes are imbalanced: 'big' has 15") }, "\(first.warnings)")

        try write(png, "lonely/0.png")
        XCTAssertThrowsError(try ImageFolder(root: root, options: options)) { error in
            XCTAssertEqual(error as? DatasetError, .validationClassEmpty(path: root.appendingPathComponent("lonely").path, images: 1))
        }
    }
}
