import Foundation
import GraftTestSupport
import XCTest

/// The page at / in a real browser: Debian's chromium, headless, driven by Selenium. It lists
/// the models, takes a photo and shows its top classes as bars; the screenshot is kept in
/// `.cache/test-output/serve-page.png`.
final class PageTests: XCTestCase {
    func testThePageClassifiesAnUploadedPhoto() throws {
        let python = try PythonTools.require(["selenium"])
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw XCTSkip("\(tool) is missing (make test installs Debian's chromium and chromium-driver)")
        }
        let shared = try fixture
        let output = PythonTools.repositoryRoot.appendingPathComponent(".cache/test-output")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let screenshot = output.appendingPathComponent("serve-page.png")
        try? FileManager.default.removeItem(at: screenshot)

        let script = PythonTools.repositoryRoot.appendingPathComponent("Tests/ServeChecks/page_check.py")
        let run = try PythonTools.run(python, [script.path, shared.server.url("/").absoluteString, "lite0",
                                               shared.photos[0].path, screenshot.path])
        XCTAssertEqual(run.status, 0, run.output)
        let lastLine = try XCTUnwrap(run.output.split(separator: "\n").last)
        let page = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        XCTAssertEqual(page["models"] as? [String], ["lite0", "flowers"])
        let labels = try XCTUnwrap(page["labels"] as? [String])
        XCTAssertEqual(labels.count, 5)
        XCTAssertEqual(labels.first, "tiger cat")
        XCTAssertEqual(page["status"] as? String, "chelsea.png: tiger cat")
        XCTAssertEqual(page["preview_shown"] as? Bool, true)
        let size = try FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int ?? 0
        XCTAssertGreaterThan(size, 10_000, "the screenshot is missing or empty")
        print("graft serve page screenshot: \(screenshot.path)")
    }
}
