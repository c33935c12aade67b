import Foundation
import GraftCheckpoint
import GraftModels
import XCTest

/// Keras' EfficientNet normalizes inside the network with values its weight file holds; Graft's
/// build has that normalization as its preprocessing, so a file with other values is refused
/// (before any of its 5M weights are read), naming the layer, the variable and the values.
final class KerasNormalizationTests: XCTestCase {
    private func loadError(_ tensors: [CheckpointTensor]) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-keras-normalization-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Safetensors.write(Checkpoint(tensors: tensors), to: file)
        XCTAssertThrowsError(try BackboneKind.efficientNetB0Keras.pretrained(weights: file, keepClassifier: false))
        do { _ = try BackboneKind.efficientNetB0Keras.pretrained(weights: file, keepClassifier: false) } catch { return "\(error)" }
        return ""
    }

    private let mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225]

    func testAdaptedNormalizationIsRefused() throws {
        let message = try loadError([CheckpointTensor(name: "normalization/0", shape: [3], values: mean),
                                     CheckpointTensor(name: "normalization/1", shape: [3], values: std.map { $0 * $0 })])
        XCTAssertTrue(message.contains("the variance of layer normalization is [0.052441"), message)
        XCTAssertTrue(message.contains("efficientnet-b0-keras is built with [0.229, 0.224, 0.225]"), message)
    }

    func testMissingNormalizationIsRefused() throws {
        let message = try loadError([CheckpointTensor(name: "normalization/1", shape: [3], values: std)])
        XCTAssertTrue(message.contains("no mean for layer normalization, which Keras' efficientnet-b0-keras has"), message)
    }

    func testImageNetNormalizationPassesOnToTheWeights() throws {
        let message = try loadError([CheckpointTensor(name: "normalization/0", shape: [3], values: mean),
                                     CheckpointTensor(name: "normalization/1", shape: [3], values: std)])
        XCTAssertTrue(message.contains("no kernel for layer stem_conv"), message)
    }
}
