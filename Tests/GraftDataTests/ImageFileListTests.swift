import Foundation
import XCTest
@testable import GraftData
#if canImport(Glibc)
import Glibc
#endif

/// Paths as `graft predict` and `graft classify` take them: files and folders, expanded to image
/// files in a reproducible order, with a note for everything left out.
final class ImageFileListTests: XCTestCase {
    private var root: URL!
    private lazy var png = try! PNGEncoder.encode(TestImages.gradient(width: 6, height: 4))

    override func setUpWithError() throws { root = try makeTemporaryFolder() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    private func write(_ data: Data, _ path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func testAFolderStandsForEveryImageBelowItSortedWithNotesForTheRest() throws {
        try write(png, "photos/b.png")
        try write(png, "photos/a.PNG")
        try write(png, "photos/sub/c.jpg")
        try write(png, "photos/.hidden.png")
        try write(Data("x".utf8), "photos/notes.txt")
        try write(Data("GIF89a".utf8), "photos/sub/anim.gif")
        try write(Data([0, 0, 0, 0x18]) + Data("ftypheic".utf8), "photos/sub/phone.heic")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("photos/sub/up").path, withDestinationPath: "..")
        XCTAssertEqual(mkfifo(root.appendingPathComponent("photos/pipe.png").path, 0o644), 0)
        try write(png, "single.png")

        let folder = root.appendingPathComponent("photos").path
        let single = root.appendingPathComponent("single.png").path
        let list = ImageFileList(paths: [single, folder + "/", root.appendingPathComponent("missing.jpg").path])
        XCTAssertEqual(list.entries.map(\.path), [single, folder + "/a.PNG", folder + "/b.png", folder + "/sub/anim.gif",
                                                  folder + "/sub/c.jpg", root.appendingPathComponent("missing.jpg").path],
                       "a named file is kept even when it is not there: it gets its own error when decoded")
        XCTAssertEqual(list.entries[1].url.path, folder + "/a.PNG")
        XCTAssertTrue(list.notes.contains("\(folder)/: skipped 2 files not named as JPEG, PNG, WebP, GIF, TIFF or BMP images: notes.txt, sub/phone.heic"),
                      "\(list.notes)")
        XCTAssertTrue(list.notes.contains { $0.contains("skipping \(folder)/sub/up: a symbolic link back to \(folder)") }, "\(list.notes)")
        XCTAssertTrue(list.notes.contains { $0.contains("skipping \(folder)/pipe.png: not a regular file") }, "\(list.notes)")
        XCTAssertEqual(ImageFileList(paths: [folder]).entries.map(\.path),
                       [folder + "/a.PNG", folder + "/b.png", folder + "/sub/anim.gif", folder + "/sub/c.jpg"])
        // A link up to a folder above the one asked for is a loop as well: nothing beside sub/ is listed.
        let sub = ImageFileList(paths: [folder + "/sub"])
        XCTAssertEqual(sub.entries.map(\.path), [folder + "/sub/anim.gif", folder + "/sub/c.jpg"])
        XCTAssertTrue(sub.notes.contains { $0.contains("skipping \(folder)/sub/up: a symbolic link back to ") && $0.contains("(a loop)") },
                      "\(sub.notes)")
    }

    func testAFileNamedTwiceOrReachedAgainThroughALinkIsListedOnce() throws {
        try write(png, "photos/a.png")
        try write(png, "photos/sub/b.png")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("alias.png").path,
                                                   withDestinationPath: "photos/a.png")
        let folder = root.appendingPathComponent("photos").path
        let list = ImageFileList(paths: [folder, folder + "/sub", folder + "/a.png", root.appendingPathComponent("alias.png").path])
        XCTAssertEqual(list.entries.map(\.path), [folder + "/a.png", folder + "/sub/b.png"])
        XCTAssertTrue(list.notes.contains("warning: skipping \(folder)/sub/b.png: already listed"), "\(list.notes)")
        XCTAssertTrue(list.notes.contains("warning: skipping \(folder)/a.png: already listed"), "\(list.notes)")
        XCTAssertTrue(list.notes.contains { $0.contains("alias.png: the same file as \(folder)/a.png") }, "\(list.notes)")
    }

    func testAnEmptyFolderIsANote() throws {
        try write(Data("x".utf8), "empty/readme.md")
        let folder = root.appendingPathComponent("empty").path
        let list = ImageFileList(paths: [folder])
        XCTAssertTrue(list.entries.isEmpty)
        XCTAssertTrue(list.notes.contains("warning: \(folder): no JPEG, PNG, WebP, GIF, TIFF or BMP images in this folder"), "\(list.notes)")
    }

    func testBatchesKeepTheFilesOrderAndPutEachDecodingErrorInItsPlace() throws {
        var urls: [URL] = []
        for i in 0..<7 {
            let name = "\(i).png"
            if i == 2 || i == 5 {
                try write(Data("broken".utf8), name)
            } else {
                try write(try PNGEncoder.encode(TestImages.gradient(width: i + 1, height: 2)), name)
            }
            urls.append(root.appendingPathComponent(name))
        }
        var batchSizes: [Int] = []
        let results = ImageDecoder.mapBatches(of: urls, batchSize: 3) { images in
            batchSizes.append(images.count)
            return images.map(\.width)
        }
        XCTAssertEqual(batchSizes, [2, 2, 1], "failures never reach the body")
        XCTAssertEqual(results.map { try? $0.get() }, [1, 2, nil, 4, 5, nil, 7])
        guard case .failure(let error) = results[2] else { return XCTFail("\(results[2])") }
        XCTAssertEqual(error.file, urls[2].path)
    }
}
