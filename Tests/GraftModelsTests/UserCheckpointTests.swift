import Foundation
import GraftCheckpoint
import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// ResNet-50 and VGG16 have no weights reachable here: users bring a torchvision checkpoint. These
/// tests write such checkpoints themselves (safetensors, torchvision's key names); that a good one
/// loads and computes what torchvision does is ReferenceParityTests' part.
final class UserCheckpointTests: XCTestCase {
    func testMismatchedCheckpointNamesEveryBadKey() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-bad-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        var tensors = ResNet(.resNet50, seed: 1).stateTensors().filter { $0.name != "layer4.2.bn3.running_var" }
        tensors.append(("layer5.0.conv1.weight", Tensor.zeros([2, 2])))
        tensors = tensors.map { $0.name == "fc.weight" ? ($0.name, Tensor.zeros([10, 2048])) : $0 }
        try Safetensors.write(Checkpoint(namedTensors: tensors), to: file)
        XCTAssertThrowsError(try BackboneKind.resNet50.pretrained(weights: file)) { error in
            let message = "\(error)"
            for key in ["layer4.2.bn3.running_var", "layer5.0.conv1.weight", "fc.weight"] {
                XCTAssertTrue(message.contains(key), "the error does not name \(key): \(message)")
            }
        }
        // Without the classifier, the mis-shaped head does not matter, but the other keys still do.
        XCTAssertThrowsError(try BackboneKind.resNet50.pretrained(weights: file, keepClassifier: false))
    }

    func testTorchvisionKeyNames() {
        let resnet = Set(ResNet(.resNet50).stateTensors().map(\.name))
        for key in ["conv1.weight", "bn1.running_mean", "layer1.0.downsample.0.weight", "layer1.0.downsample.1.bias",
                    "layer3.5.conv2.weight", "layer4.2.bn3.weight", "fc.weight", "fc.bias"] {
            XCTAssertTrue(resnet.contains(key), key)
        }
        XCTAssertEqual(resnet.filter { $0.hasSuffix("running_var") }.count, 53)
        let vgg = VGG(.vgg16).stateTensors().map(\.name)
        XCTAssertEqual(vgg.filter { $0.hasPrefix("features.") && $0.hasSuffix(".weight") },
                       [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28].map { "features.\($0).weight" })
        XCTAssertTrue(vgg.contains("classifier.6.bias"))
    }
}
