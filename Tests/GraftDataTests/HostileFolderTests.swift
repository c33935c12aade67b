import Foundation
import XCTest
@testable import GraftData
#if canImport(Glibc)
import Glibc
#endif

/// Folders a careless or hostile user could hand to `graft train`: links that loop or reach a
/// file twice, names that are not UTF-8, named pipes and devices where images should be.
final class HostileFolderTests: XCTestCase {
    private var root: URL!
    private lazy var png = try! PNGEncoder.encode(TestImages.gradient(width: 4, height: 4))

    override func setUpWithError() throws { root = try makeTemporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try png.write(to: url)
    }

    private func link(_ path: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(path).path, withDestinationPath: destination)
    }

    /// The bytes of `root/relative`, for names Swift strings cannot hold.
    private func rawPath(_ relative: [UInt8]) -> [CChar] {
        (Array(root.path.utf8) + [0x2F] + relative + [0]).map { CChar(bitPattern: $0) }
    }

    private func warnings(_ folder: ImageFolder, containing text: String) -> [String] {
        folder.warnings.filter { $0.contains(text) }
    }

    func testLinksThatLoopBackUpAreSkippedByNameAndNoFileCountsTwice() throws {
        for name in ["a", "b", "c", "d"] {
            try write("cats/\(name).png")
            try write("dogs/\(name).png")
        }
        try link("cats/loop", to: ".")
        try link("cats/up", to: "..")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dogs/nested"), withIntermediateDirectories: true)
        try link("dogs/nested/deeper", to: "../..")           // a loop two levels up
        try link("dogs/cats", to: "../cats")                  // another class's folder
        try link("dogs/e.png", to: "../cats/a.png")           // another class's image
        try FileManager.default.linkItem(at: root.appendingPathComponent("dogs/a.png"),
                                         to: root.appendingPathComponent("dogs/hard.png"))
        try link("alias", to: "cats")                         // a class folder under a second name
        try link("self", to: ".")                             // the root itself
        try link("cats/outside", to: "../..")                 // the folder above the dataset

        let folder = try ImageFolder(root: root, options: ImageFolderOptions(validationFraction: 0.5, verification: .none))
        XCTAssertEqual(folder.classNames, ["cats", "dogs"])
        XCTAssertEqual(folder.train.classCounts, [2, 2])
        XCTAssertEqual(folder.validation?.classCounts, [2, 2])
        let all = folder.train.samples + folder.validation!.samples
        let realPaths = all.map { $0.url.resolvingSymlinksInPath().path }
        XCTAssertEqual(Set(realPaths).count, 8, "each of the eight images once: \(realPaths)")
        XCTAssertTrue(all.allSatisfy { !$0.url.path.contains("/loop/") && !$0.url.path.contains("/up/") })

        for (link, reason) in [("cats/loop", "a symbolic link back to \(root.path)/cats, a folder that holds it (a loop)"),
                               ("cats/up", "a symbolic link back to \(root.path), a folder that holds it (a loop)"),
                               ("dogs/nested/deeper", "a symbolic link back to \(root.path), a folder that holds it"),
                               ("dogs/cats", "the same folder as \(root.path)/cats, already listed"),
                               ("alias", "the same folder as \(root.path)/cats, already listed"),
                               ("self", "a symbolic link back to \(root.path), a folder that holds it"),
                               ("cats/outside", "a symbolic link back to \(root.deletingLastPathComponent().resolvingSymlinksInPath().path), a folder that holds it"),
                               ("dogs/e.png", "the same file as \(root.path)/cats/a.png"),
                               ("dogs/hard.png", "the same file as \(root.path)/dogs/a.png")] {
            XCTAssertEqual(warnings(folder, containing: "skipping \(root.path)/\(link): \(reason)").count, 1,
                           "\(link): \(folder.warnings)")
        }
        // The same listing, warnings and all, on every run.
        let again = try ImageFolder(root: root, options: ImageFolderOptions(validationFraction: 0.5, verification: .none))
        XCTAssertEqual(again.warnings, folder.warnings)
        XCTAssertEqual(again.validation?.samples, folder.validation?.samples)
    }

    func testAFileOrFolderReachedDirectlyCountsWhereItLiesNotWhereALinkToItIsMetFirst() throws {
        for name in ["a", "b"] { try write("cats/\(name).png"); try write("dogs/\(name).png") }
        try write("dogs/sub/c.png")
        try link("cats/borrowed.png", to: "../dogs/a.png")    // met before dogs/a.png in the walk
        try link("cats/sub", to: "../dogs/sub")                // likewise dogs/sub
        let folder = try ImageFolder(root: root, options: ImageFolderOptions(verification: .none))
        XCTAssertEqual(folder.train.classCounts, [2, 3])
        let dogs = folder.train.samples.filter { $0.label == 1 }.map { String($0.url.path.dropFirst(root.path.count + 1)) }
        XCTAssertEqual(dogs, ["dogs/a.png", "dogs/b.png", "dogs/sub/c.png"])
        XCTAssertEqual(warnings(folder, containing: "cats/borrowed.png: the same file as \(root.path)/dogs/a.png").count, 1,
                       "\(folder.warnings)")
        XCTAssertEqual(warnings(folder, containing: "cats/sub: the same folder as \(root.path)/dogs/sub").count, 1,
                       "\(folder.warnings)")
    }

    func testAValidationImageLinkedFromTrainingIsNotCountedInBoth() throws {
        for name in ["a", "b"] { try write("train/x/\(name).png"); try write("train/y/\(name).png") }
        try write("validation/x/c.png")
        try write("validation/y/c.png")
        try link("validation/x/a.png", to: "../../train/x/a.png")
        try link("validation/y/train", to: "../../train/y")
        let folder = try ImageFolder(root: root, options: ImageFolderOptions(verification: .none))
        XCTAssertEqual(folder.train.classCounts, [2, 2])
        XCTAssertEqual(folder.validation?.classCounts, [1, 1])
        XCTAssertTrue(Set(folder.train.samples.map(\.url.lastPathComponent)).isDisjoint(with: ["c.png"]))
        XCTAssertEqual(warnings(folder, containing: "validation/x/a.png: the same file as \(root.path)/train/x/a.png").count, 1,
                       "\(folder.warnings)")
        XCTAssertEqual(warnings(folder, containing: "validation/y/train: the same folder as \(root.path)/train/y").count, 1,
                       "\(folder.warnings)")
    }

    func testAClassFolderNamedInAnotherEncodingIsAnErrorShowingTheNameEscaped() throws {
        try write("cats/a.png")
        try write("dogs/a.png")
        XCTAssertEqual(mkdir(rawPath(Array("caf".utf8) + [0xE9]), 0o755), 0)   // "café" in Latin-1
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertEqual(error as? DatasetError, .undecodableClassFolderName(path: root.path + "/caf\\xe9"))
            XCTAssertTrue("\(error)".contains("caf\\xe9: the folder's name is not valid UTF-8"), "\(error)")
        }
        // In the split layout too, in any split.
        try FileManager.default.removeItem(at: root)
        try write("train/cats/a.png")
        try write("train/dogs/a.png")
        try write("validation/cats/a.png")
        try write("validation/dogs/a.png")
        XCTAssertEqual(mkdir(rawPath(Array("validation/".utf8) + [0xFF]), 0o755), 0)
        XCTAssertThrowsError(try ImageFolder(root: root)) { error in
            XCTAssertEqual(error as? DatasetError, .undecodableClassFolderName(path: root.path + "/validation/\\xff"))
        }
    }

    func testAnImageNamedInAnotherEncodingIsSkippedWithItsNameEscaped() throws {
        for name in ["a", "b"] { try write("cats/\(name).png"); try write("dogs/\(name).png") }
        let path = rawPath(Array("cats/".utf8) + [0xFF, 0xFE] + Array(".png".utf8))
        let descriptor = open(path, O_CREAT | O_WRONLY, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        _ = png.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        let folder = try ImageFolder(root: root)
        XCTAssertEqual(folder.train.classCounts, [2, 2])
        XCTAssertEqual(warnings(folder, containing: "skipping \(root.path)/cats/\\xff\\xfe.png: the name is not valid UTF-8").count, 1,
                       "\(folder.warnings)")
    }

    func testEscapedNamesKeepValidUTF8AndShowOtherBytesInHex() {
        XCTAssertEqual(escapedFileName(Array("café.jpg".utf8)), "café.jpg")
        XCTAssertEqual(escapedFileName([0x63, 0x61, 0x66, 0xE9]), "caf\\xe9")
        XCTAssertEqual(escapedFileName([0xE2, 0x82, 0xAC, 0xC3, 0x41]), "€\\xc3A")   // a cut-off two-byte sequence
        XCTAssertEqual(escapedFileName([0xED, 0xA0, 0x80]), "\\xed\\xa0\\x80")         // an encoded surrogate
    }

    func testPipesAndDevicesAreSkippedAsNotRegularFilesWithoutBeingOpened() throws {
        for name in ["a", "b"] { try write("cats/\(name).png"); try write("dogs/\(name).png") }
        let pipe = root.appendingPathComponent("cats/pipe.jpg")
        XCTAssertEqual(mkfifo(pipe.path, 0o644), 0)
        try link("dogs/null.png", to: "/dev/null")
        // Were the pipe opened for reading, this writer would release it (to fail, not hang).
        let watchdog = DispatchWorkItem {
            let writer = open(pipe.path, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        defer { watchdog.cancel() }

        let folder = try ImageFolder(root: root, options: ImageFolderOptions(verification: .decode))
        XCTAssertEqual(folder.train.classCounts, [2, 2])
        XCTAssertTrue(folder.skipped.isEmpty, "\(folder.skipped)")
        XCTAssertEqual(warnings(folder, containing: "skipping \(pipe.path): not a regular file but a named pipe (FIFO); not opened").count, 1,
                       "\(folder.warnings)")
        XCTAssertEqual(warnings(folder, containing: "dogs/null.png: not a regular file but a character device").count, 1,
                       "\(folder.warnings)")
        XCTAssertFalse(folder.warnings.contains { $0.contains("permission") }, "\(folder.warnings)")

        // Decoding such a path directly says the same, still without opening it.
        XCTAssertThrowsError(try ImageDecoder.decode(contentsOf: pipe)) { error in
            XCTAssertEqual(error as? ImageDecodingError, .notARegularFile(file: pipe.path, kind: "a named pipe (FIFO)"))
            XCTAssertTrue("\(error)".contains("pipe.jpg: not a regular file"), "\(error)")
        }
    }

    func testValidationFractionZeroTrainsOnEveryImage() throws {
        for name in ["a", "b", "c"] { try write("cats/\(name).png"); try write("dogs/\(name).png") }
        let folder = try ImageFolder(root: root, options: ImageFolderOptions(validationFraction: 0, verification: .none))
        XCTAssertNil(folder.validation)
        XCTAssertEqual(folder.train.classCounts, [3, 3])
        XCTAssertFalse(folder.summary.contains("validation"), folder.summary)
        for fraction in [-0.1, 1, .nan] {
            XCTAssertThrowsError(try ImageFolder(root: root, options: ImageFolderOptions(validationFraction: fraction))) { error in
                XCTAssertTrue("\(error)".contains("validation fraction"), "\(error)")
            }
        }
        // A split folder without validation/ keeps its training images whole as well.
        try FileManager.default.removeItem(at: root)
        for name in ["a", "b"] { try write("train/cats/\(name).png"); try write("train/dogs/\(name).png") }
        let split = try ImageFolder(root: root, options: ImageFolderOptions(validationFraction: 0, verification: .none))
        XCTAssertNil(split.validation)
        XCTAssertEqual(split.train.classCounts, [2, 2])
    }
}
