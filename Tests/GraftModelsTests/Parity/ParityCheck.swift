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
        XCTAssertEqual(fixture.formula, ParityWeights.formula, file: file, line: line)
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
        let tensors = kind.make().stateTensors().map { entry in
            (name: entry.name, tensor: Tensor(shape: entry.tensor.shape, values: ParityWeights.values(entry.name, shape: entry.tensor.shape)))
        }
        try Safetensors.write(Checkpoint(namedTensors: tensors), to: file)
        return try kind.pretrained(weights: file)
    }
}

/// Asserts that `kind` reproduces its reference implementation's logits within 1e-4 relative.
func assertParity(_ kind: BackboneKind, tolerance: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) throws {
    let error = try ParityCheck.relativeError(kind, file: file, line: line)
    XCTAssertLessThan(error, tolerance, "\(kind.rawValue): logits differ from the reference by \(error) relative",
                      file: file, line: line)
}
