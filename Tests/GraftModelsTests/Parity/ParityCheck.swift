import Foundation
import GraftCheckpoint
import GraftCore
import GraftModels
import GraftNN
import XCTest

/// The reference's logits, reproduced: the formula's weights written as a checkpoint, read back by
/// the loading path users take (`--weights FILE`), run on the formula's inputs.
enum ParityCheck {
    /// max |Graft - reference| / max |reference| over the logits, after checking that the fixture
    /// is the one for `kind` and that Graft has as many parameters as the reference.
    static func relativeError(_ kind: BackboneKind, file: StaticString = #filePath, line: UInt = #line) throws -> Double {
        let fixture = try ParityFixture.named(kind.rawValue)
        XCTAssertEqual(fixture.formula, kind.isKerasVariant ? KerasParityWeights.formula : ParityWeights.formula, file: file, line: line)
        let model = try loadFormulaWeights(kind)
        let parameters = model.namedParameters().reduce(0) { $0 + $1.tensor.count }
        XCTAssertEqual(parameters, fixture.parameters, "\(kind.rawValue): parameter count against \(fixture.reference)",
                       file: file, line: line)

        let x = Tensor(shape: fixture.inputShape, values: ParityWeights.input(shape: fixture.inputShape))
        let logits = GradMode.withoutGradients { model(x, context: .inference) }.values.map { Double($0) }
        let reference = fixture.logits.flatMap { $0 }
        XCTAssertEqual(logits.count, reference.count, "\(kind.rawValue): logits shape", file: file, line: line)
        guard logits.count == reference.count else { return .infinity }
        let maxDifference = zip(logits, reference).map { abs($0 - $1) }.max() ?? 0
        return maxDifference / (reference.map(abs).max() ?? 1)
    }

    /// `kind` loaded, with its ImageNet classifier, from a safetensors file of the formula's values.
    private static func loadFormulaWeights(_ kind: BackboneKind) throws -> any Backbone {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-parity-\(kind.rawValue)-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        try Safetensors.write(formulaCheckpoint(kind.make(), keras: kind.isKerasVariant), to: file)
        return try kind.pretrained(weights: file)
    }
}

/// The formula's values for every state tensor of `model`: under Graft's (torchvision's) names,
/// or, for a network built as Keras builds it, under the names and in the layouts of a Keras file.
private func formulaCheckpoint(_ model: any Backbone, keras isKeras: Bool) -> Checkpoint {
    guard isKeras, let keras = model as? KerasBuilt else {
        return Checkpoint(namedTensors: model.stateTensors().map { entry in
            (name: entry.name, tensor: Tensor(shape: entry.tensor.shape, values: ParityWeights.values(entry.name, shape: entry.tensor.shape)))
        })
    }
    let shapes = Dictionary(model.stateTensors().map { ($0.name, $0.tensor.shape) }) { a, _ in a }
    // Keras' variables that Graft builds in as constants are written as Keras' ImageNet files hold them.
    let constants = keras.kerasConstants.map { CheckpointTensor(name: $0.kerasKey, shape: [$0.values.count], values: $0.values) }
    return Checkpoint(tensors: constants + keras.kerasVariables.map { variable in
        let shape = variable.layout.kerasShape(shapes[variable.name]!)
        return CheckpointTensor(name: variable.kerasKey, shape: shape,
                                values: KerasParityWeights.values(layer: variable.layer, role: variable.role, shape: shape))
    })
}

/// Asserts that `kind` reproduces its reference implementation's logits within 1e-4 relative.
func assertParity(_ kind: BackboneKind, tolerance: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws {
    let error = try ParityCheck.relativeError(kind, file: file, line: line)
    print("parity: \(kind.rawValue) max relative error \(error)")
    XCTAssertLessThan(error, tolerance, "\(kind.rawValue): logits differ from the reference by \(error) relative",
                      file: file, line: line)
}
