import Foundation
import GraftCheckpoint
import GraftCore
import XCTest
@testable import GraftModels

/// torchvision's DenseNet-121 checkpoint was saved with older layer names
/// (`denselayer1.norm.1.weight`, `conv.2.weight`); torchvision renames them on load, and so does Graft.
final class DenseNetCheckpointTests: XCTestCase {
    func testLegacyKeysAreRenamedAsTorchvisionDoes() {
        let renamed = [
            "features.denseblock1.denselayer1.norm.1.weight": "features.denseblock1.denselayer1.norm1.weight",
            "features.denseblock3.denselayer24.conv.2.weight": "features.denseblock3.denselayer24.conv2.weight",
            "features.denseblock2.denselayer10.norm.2.running_var": "features.denseblock2.denselayer10.norm2.running_var",
            "module.features.denseblock4.denselayer16.norm.1.bias": "module.features.denseblock4.denselayer16.norm1.bias",
        ]
        for (legacy, modern) in renamed { XCTAssertEqual(DenseNet.checkpointKey(legacy), modern) }
        for unchanged in ["features.denseblock1.denselayer1.norm1.weight", "features.transition1.norm.weight",
                          "features.norm5.running_mean", "classifier.weight", "features.denseblock1.denselayer1.norm.3.weight",
                          "features.denseblock1.denselayer1.norm.1.num_batches_tracked", "denselayer.norm.1.weight"] {
            XCTAssertEqual(DenseNet.checkpointKey(unchanged), unchanged)
        }
    }

    /// A checkpoint the test writes under the legacy names loads through the loading path users
    /// take (`--weights FILE`) into the same values.
    func testCheckpointWithLegacyNamesLoads() throws {
        let source = DenseNet(classes: 1000, seed: 21)
        var legacyCount = 0
        let tensors = source.stateTensors().map { entry -> (name: String, tensor: Tensor) in
            let legacy = entry.name.replacingOccurrences(of: #"(denselayer\d+\.(norm|conv))([12])\."#, with: "$1.$3.",
                                                         options: .regularExpression)
            if legacy != entry.name { legacyCount += 1 }
            return (legacy, entry.tensor)
        }
        XCTAssertEqual(legacyCount, 58 * 10, "every dense layer's two norms (4 tensors each) and two convolutions")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-densenet-legacy-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Safetensors.write(Checkpoint(namedTensors: tensors), to: file)
        let loaded = try BackboneKind.denseNet121.pretrained(weights: file)
        let expected = Dictionary(uniqueKeysWithValues: source.stateTensors().map { ($0.name, $0.tensor.values) })
        for entry in loaded.stateTensors() { XCTAssertEqual(entry.tensor.values, expected[entry.name], entry.name) }
    }
}
