import Foundation
import GraftCheckpoint
import GraftCore
import XCTest
@testable import GraftModels

/// EfficientNet-B0 to B3 and MobileNetV3-Large and -Small against torchvision, every weight from
/// the parity formula (see Fixtures/parity/make_parity_fixtures.py).
///
/// Under the formula's weights an EfficientNet forgets most of its input: BatchNorm with running
/// statistics does not renormalize the shrinking activations, so the logits are mostly what the
/// biases make of a constant image, and the two inputs' logits differ by about 1e-4 of their size.
/// The input-dependent part is therefore also checked on its own: the difference between the two
/// samples' logits, against torchvision's difference.
final class SqueezeExciteParityTests: XCTestCase {
    /// `assertParity`'s checks (the formula, the parameter count, the logits within 1e-4), and the
    /// input-dependent part within `inputDependenceTolerance`, from one load of the weights.
    private func check(_ kind: BackboneKind, inputDependenceTolerance: Double) throws {
        let fixture = try ParityFixture.named(kind.rawValue)
        XCTAssertEqual(fixture.formula, ParityWeights.formula)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-parity-\(kind.rawValue)-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        let tensors = kind.make().stateTensors().map { entry in
            (name: entry.name, tensor: Tensor(shape: entry.tensor.shape, values: ParityWeights.values(entry.name, shape: entry.tensor.shape)))
        }
        try Safetensors.write(Checkpoint(namedTensors: tensors), to: file)
        let model = try kind.pretrained(weights: file)
        XCTAssertEqual(model.namedParameters().reduce(0) { $0 + $1.tensor.count }, fixture.parameters,
                       "\(kind.rawValue): parameter count against \(fixture.reference)")
        let x = Tensor(shape: fixture.inputShape, values: ParityWeights.input(shape: fixture.inputShape))
        let logits = GradMode.withoutGradients { model(x, context: .inference) }.values.map { Double($0) }
        let all = fixture.logits.flatMap { $0 }
        XCTAssertEqual(logits.count, all.count, "\(kind.rawValue): logits shape")
        XCTAssertEqual(fixture.logits.count, 2, "\(kind.rawValue): the fixture should have two inputs")
        guard logits.count == all.count, fixture.logits.count == 2 else { return }
        let logitsError = zip(logits, all).map { abs($0 - $1) }.max()! / all.map(abs).max()!
        XCTAssertLessThan(logitsError, 1e-4, "\(kind.rawValue): logits differ from the reference by \(logitsError) relative")
        let classes = fixture.logits[0].count
        let graft = (0..<classes).map { logits[$0] - logits[classes + $0] }
        let reference = zip(fixture.logits[0], fixture.logits[1]).map { $0 - $1 }
        let error = zip(graft, reference).map { abs($0 - $1) }.max()! / reference.map(abs).max()!
        XCTAssertLessThan(error, inputDependenceTolerance, "\(kind.rawValue): the difference between the two inputs' logits differs "
                          + "from torchvision's by \(error) relative")
    }

    func testEfficientNetB0() throws { try check(.efficientNetB0, inputDependenceTolerance: 1e-2) }
    func testEfficientNetB1() throws { try check(.efficientNetB1, inputDependenceTolerance: 1e-2) }
    func testEfficientNetB2() throws { try check(.efficientNetB2, inputDependenceTolerance: 1e-2) }
    func testEfficientNetB3() throws { try check(.efficientNetB3, inputDependenceTolerance: 1e-2) }
    func testMobileNetV3Large() throws { try check(.mobileNetV3Large, inputDependenceTolerance: 1e-3) }
    func testMobileNetV3Small() throws { try check(.mobileNetV3Small, inputDependenceTolerance: 1e-3) }
}
