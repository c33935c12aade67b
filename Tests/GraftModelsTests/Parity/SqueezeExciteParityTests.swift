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
    private func check(_ kind: BackboneKind, inputDependenceTolerance: Double) throws {
        try assertParity(kind)
        let fixture = try ParityFixture.named(kind.rawValue)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("graft-parity-\(kind.rawValue)-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        let tensors = kind.make().stateTensors().map { entry in
            (name: entry.name, tensor: Tensor(shape: entry.tensor.shape, values: ParityWeights.values(entry.name, shape: entry.tensor.shape)))
        }
        try Safetensors.write(Checkpoint(namedTensors: tensors), to: file)
        let model = try kind.pretrained(weights: file)
        let x = Tensor(shape: fixture.inputShape, values: ParityWeights.input(shape: fixture.inputShape))
        let logits = GradMode.withoutGradients { model(x, context: .inference) }.values.map { Double($0) }
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
