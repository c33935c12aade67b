import Foundation
import XCTest
@testable import GraftData

/// Uses Debian's dataset-fashion-mnist package when it is installed.
final class FashionMNISTTests: XCTestCase {
    func testWritesARealImageFolderThatLoads() throws {
        try XCTSkipUnless(FashionMNIST.isInstalled(), "apt-get install \(FashionMNIST.debianPackage) to run this test")
        let root = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let summary = try FashionMNIST.writeImageFolder(to: root, perClass: 4, size: 32, validationPerClass: 2, testPerClass: 1)
        XCTAssertEqual(summary.totalImages, 10 * (4 + 2 + 1))

        let folder = try ImageFolder(root: root)
        XCTAssertEqual(folder.layout, .splitFolders)
        XCTAssertEqual(folder.classNames, FashionMNIST.classNames.sorted())
        XCTAssertEqual(folder.train.classCounts, Array(repeating: 4, count: 10))
        XCTAssertEqual(folder.validation?.classCounts, Array(repeating: 2, count: 10))
        XCTAssertEqual(folder.test?.classCounts, Array(repeating: 1, count: 10))
        XCTAssertTrue(folder.warnings.isEmpty, "\(folder.warnings)")

        let first = try ImageDecoder.decode(contentsOf: folder.train.samples[0].url)
        XCTAssertEqual([first.width, first.height], [32, 32])
        let pixel = first.pixel(x: 16, y: 16)
        XCTAssertTrue(pixel.red == pixel.green && pixel.green == pixel.blue, "grey replicated to RGB")

        XCTAssertThrowsError(try FashionMNIST.writeImageFolder(to: root, perClass: 2)) { error in
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
        }
        try FashionMNIST.writeImageFolder(to: root, perClass: 2, validationPerClass: 1, testPerClass: 1, replacingExisting: true)
        XCTAssertEqual(try ImageFolder(root: root).train.count, 20, "no image of the first export lingers")

        // Same arguments, same files.
        let again = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: again) }
        try FashionMNIST.writeImageFolder(to: again, perClass: 4, size: 32, validationPerClass: 2, testPerClass: 1)
        try FashionMNIST.writeImageFolder(to: root, perClass: 4, size: 32, validationPerClass: 2, testPerClass: 1,
                                          replacingExisting: true)
        let relative = folder.train.samples[5].url.path.dropFirst(root.path.count)
        XCTAssertEqual(try Data(contentsOf: folder.train.samples[5].url), try Data(contentsOf: URL(fileURLWithPath: again.path + relative)))
    }

    func testMissingDataGivesAnInstallHint() {
        XCTAssertThrowsError(try FashionMNIST.load(.train, from: URL(fileURLWithPath: "/nonexistent"))) { error in
            XCTAssertTrue("\(error)".contains("apt-get install dataset-fashion-mnist"), "\(error)")
        }
    }
}
