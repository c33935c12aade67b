import Foundation
@testable import GraftDownload
import XCTest

/// The whole download path against a real HTTP server on loopback: full downloads with progress,
/// broken connections resumed with Range requests (in one run and in a later one), servers that
/// ignore Range, wrong hashes, HTTP errors and no server at all.
final class DownloadTests: XCTestCase {
    private let size = 600_000

    private func download(_ server: CheckpointServer, _ path: String, data: Data, into folder: URL) throws -> Download {
        Download(url: server.url(path), sha256: try sha256(data), destination: folder.appendingPathComponent("w.pth"))
    }

    func testAFullDownloadReportsProgressAndLandsVerified() throws {
        let data = randomBytes(size)
        let server = try CheckpointServer(["/models/w.pth": .init(data: data)])
        let folder = try temporaryFolder()
        let progress = ProgressLog()
        let job = try download(server, "/models/w.pth", data: data, into: folder)
        let result = try job.run { progress.add($0) }

        XCTAssertEqual(try Data(contentsOf: job.destination), data)
        XCTAssertEqual(contents(of: folder), ["w.pth"], "no partial file stays")
        XCTAssertEqual(result, DownloadResult(bytes: Int64(size), resumedFrom: 0, transferred: Int64(size), requests: 1))
        XCTAssertEqual(server.requests.map(\.range), [nil])
        let reports = progress.all
        XCTAssertGreaterThan(reports.count, 2)
        XCTAssertEqual(reports.map(\.bytes), reports.map(\.bytes).sorted(), "bytes only grow")
        XCTAssertTrue(reports.allSatisfy { $0.total == Int64(size) }, "the size is known from the first report")
        XCTAssertEqual(reports.last?.isFinished, true)
        XCTAssertEqual(reports.last?.bytes, Int64(size))
        XCTAssertEqual(reports.filter(\.isFinished).count, 1)
    }

    func testABrokenConnectionIsResumedWithARangeRequest() throws {
        let data = randomBytes(size)
        let server = try CheckpointServer(["/w.pth": .init(data: data, breakAfter: [200_000])])
        let folder = try temporaryFolder()
        let job = try download(server, "/w.pth", data: data, into: folder)
        let result = try job.run()

        XCTAssertEqual(try Data(contentsOf: job.destination), data)
        let requests = server.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertNil(requests[0].range)
        let resumedAt = try XCTUnwrap(requests[1].range.flatMap { Int($0.dropFirst("bytes=".count).dropLast()) }, "\(requests)")
        XCTAssertEqual(requests[1].range, "bytes=\(resumedAt)-")
        XCTAssertGreaterThan(resumedAt, 0)
        XCTAssertLessThanOrEqual(resumedAt, 200_000)
        XCTAssertEqual(requests[1].status, 206)
        XCTAssertEqual(requests[1].bytesSent, size - resumedAt, "only the rest was sent again")
        XCTAssertEqual(result.requests, 2)
        XCTAssertEqual(result.transferred, Int64(size), "every byte was received once")
        XCTAssertEqual(contents(of: folder), ["w.pth"])
    }

    func testAnInterruptedDownloadKeepsItsBytesAndALaterRunResumes() throws {
        let data = randomBytes(size)
        let server = try CheckpointServer(["/w.pth": .init(data: data, breakAfter: [250_000])])
        let folder = try temporaryFolder()
        var job = try download(server, "/w.pth", data: data, into: folder)
        job.resumeAttempts = 0
        var kept: Int64 = 0
        XCTAssertThrowsError(try job.run()) { error in
            guard case let .interrupted(url, have, total, _, partial)? = error as? DownloadError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(url, job.url.absoluteString)
            XCTAssertEqual(total, Int64(size))
            XCTAssertEqual(partial, job.partialFile.path)
            XCTAssertTrue("\(error)".contains("running the same command again resumes"), "\(error)")
            kept = have
        }
        XCTAssertGreaterThan(kept, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: job.destination.path), "nothing unverified under the real name")
        XCTAssertEqual(try Data(contentsOf: job.partialFile), data.prefix(Int(kept)))

        let result = try job.run()
        XCTAssertEqual(try Data(contentsOf: job.destination), data)
        XCTAssertEqual(server.requests.last?.range, "bytes=\(kept)-")
        XCTAssertEqual(server.requests.last?.bytesSent, size - Int(kept))
        XCTAssertEqual(result, DownloadResult(bytes: Int64(size), resumedFrom: kept, transferred: Int64(size) - kept, requests: 1))
        XCTAssertEqual(contents(of: folder), ["w.pth"])
    }

    func testAServerThatIgnoresRangeStartsOverFromZero() throws {
        let data = randomBytes(size)
        let server = try CheckpointServer(["/w.pth": .init(data: data, ignoresRange: true)])
        let folder = try temporaryFolder()
        let job = try download(server, "/w.pth", data: data, into: folder)
        // Bytes a broken earlier run left, which a 200 answer must replace, not extend.
        try Data(repeating: 7, count: 1000).write(to: job.partialFile)
        let result = try job.run()

        XCTAssertEqual(server.requests.map(\.range), ["bytes=1000-"])
        XCTAssertEqual(server.requests.map(\.status), [200])
        XCTAssertEqual(try Data(contentsOf: job.destination), data)
        XCTAssertEqual(result, DownloadResult(bytes: Int64(size), resumedFrom: 0, transferred: Int64(size), requests: 1))
    }

    func testAPartialFileLongerThanTheServersFileStartsOver() throws {
        let data = randomBytes(10_000)
        let server = try CheckpointServer(["/w.pth": .init(data: data)])
        let folder = try temporaryFolder()
        let job = try download(server, "/w.pth", data: data, into: folder)
        try randomBytes(20_000).write(to: job.partialFile)
        try job.run()
        XCTAssertEqual(server.requests.map(\.status), [416, 200])
        XCTAssertEqual(try Data(contentsOf: job.destination), data)
    }

    func testAWrongHashIsRefusedAndTheFileRemoved() throws {
        let data = randomBytes(size)
        let server = try CheckpointServer(["/w.pth": .init(data: data)])
        let folder = try temporaryFolder()
        let expected = try sha256(Data("some other file".utf8))
        let job = Download(url: server.url("/w.pth"), sha256: expected, destination: folder.appendingPathComponent("w.pth"))
        XCTAssertThrowsError(try job.run()) { error in
            XCTAssertEqual(error as? DownloadError, .checksum(url: job.url.absoluteString, expected: expected, actual: try! self.sha256(data)))
            XCTAssertTrue("\(error)".contains("expected \(expected)"), "\(error)")
            XCTAssertTrue("\(error)".contains("it was removed"), "\(error)")
        }
        XCTAssertEqual(contents(of: folder), [], "neither the file nor its partial stays")
    }

    func testHTTPErrorsNameTheURLAndTheStatus() throws {
        let server = try CheckpointServer(["/denied.pth": .init(data: Data(), status: .forbidden)])
        let folder = try temporaryFolder()
        for (path, code, words) in [("/missing.pth", 404, "no such file"), ("/denied.pth", 403, "access denied")] {
            let job = Download(url: server.url(path), sha256: String(repeating: "0", count: 64), destination: folder.appendingPathComponent("w.pth"))
            XCTAssertThrowsError(try job.run()) { error in
                XCTAssertEqual(error as? DownloadError, .status(url: job.url.absoluteString, code: code))
                XCTAssertEqual("\(error)", "\(job.url.absoluteString) answered HTTP \(code) (\(words))")
            }
        }
        XCTAssertEqual(contents(of: folder), [], "an empty partial file does not stay")
    }

    func testNoServerListeningIsACouldNotConnectNamingTheURL() throws {
        let folder = try temporaryFolder()
        let url = URL(string: "http://127.0.0.1:\(try closedLoopbackPort())/models/w.pth")!
        let job = Download(url: url, sha256: String(repeating: "0", count: 64), destination: folder.appendingPathComponent("w.pth"))
        XCTAssertThrowsError(try job.run()) { error in
            guard case .cannotConnect(url.absoluteString, _)? = error as? DownloadError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".hasPrefix("could not connect to fetch \(url.absoluteString): "), "\(error)")
        }
        XCTAssertEqual(contents(of: folder), [])
    }

    /// libcurl, under URLSession, sends the request to the proxy that `http_proxy` names.
    func testTheProxyEnvironmentVariableIsHonoured() throws {
        let data = randomBytes(50_000)
        let proxy = try CheckpointServer(["/models/w.pth": .init(data: data)])
        setenv("http_proxy", "http://127.0.0.1:\(proxy.port)", 1)
        defer { unsetenv("http_proxy") }
        let folder = try temporaryFolder()
        let job = Download(url: URL(string: "http://weights.invalid/models/w.pth")!, sha256: try sha256(data),
                           destination: folder.appendingPathComponent("w.pth"))
        try job.run()
        XCTAssertEqual(try Data(contentsOf: job.destination), data)
        XCTAssertEqual(proxy.requests.map(\.authority), ["weights.invalid"])
    }

    func testTwoDownloadsIntoOneFileDoNotInterleave() throws {
        let folder = try temporaryFolder()
        let job = Download(url: URL(string: "http://127.0.0.1:1/w.pth")!, sha256: String(repeating: "0", count: 64),
                           destination: folder.appendingPathComponent("w.pth"))
        let holder = try PartialFile(job.partialFile)
        XCTAssertThrowsError(try job.run()) { error in
            XCTAssertEqual(error as? DownloadError, .busy(partial: job.partialFile.path))
        }
        withExtendedLifetime(holder) {}
    }

    func testTheProgressLineShowsBarAmountsRateAndETA() {
        let progress = DownloadProgress(bytes: 45_000_000, total: 90_000_000, transferred: 40_000_000, seconds: 4)
        XCTAssertEqual(progress.bytesPerSecond, 10_000_000)
        XCTAssertEqual(progress.secondsRemaining, 4.5)
        let line = progress.line(label: "resnet50-0676ba61.pth", width: 80)
        XCTAssertEqual(line.count, 80 - 1)
        XCTAssertTrue(line.hasPrefix("resnet50-0676ba61.pth [===="), line)
        XCTAssertTrue(line.hasSuffix("] 45.0/90.0 MB  10.0 MB/s  ETA 5s"), line)
        XCTAssertEqual(DownloadProgress(bytes: 1_500_000, total: nil, transferred: 0, seconds: 0).line(label: "f", width: 80), "f 1.5 MB")
        XCTAssertEqual(DownloadProgress.duration(75), "1m15s")
        XCTAssertTrue(DownloadProgress(bytes: 9, total: 9, transferred: 9, seconds: 1, isFinished: true)
            .line(label: "f", width: 60).hasSuffix("  done"))
    }

    func testContentRangeHeadersAreParsed() {
        XCTAssertEqual(ContentRange("bytes 100-199/200"), ContentRange("bytes 100-199/200"))
        XCTAssertEqual(ContentRange("bytes 100-199/200")?.first, 100)
        XCTAssertEqual(ContentRange("bytes 100-199/200")?.total, 200)
        XCTAssertNil(ContentRange("bytes 100-199/*")?.total)
        XCTAssertNil(ContentRange("bytes */200"))
        XCTAssertNil(ContentRange("items 1-2/3"))
    }
}
