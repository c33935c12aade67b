import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// Whole feature extractors with fused inference (BatchNorm folded, residual and activation as post-ops)
/// against the same networks run layer by layer: they must agree to 1e-5 relative.
final class FusedInferenceTests: XCTestCase {
    override func tearDown() { LayerFusion.isEnabled = true }

    private func relativeDifference(_ kind: BackboneKind, size: Int) -> Float {
        let model = kind.make(classes: 10, seed: 1)
        // Running statistics away from 0 / 1, so that folding them in is really exercised.
        var g = SeededGenerator(seed: 2)
        for (name, buffer) in model.namedBuffers() {
            let low: Float = name.hasSuffix("running_var") ? 0.5 : -0.2, high: Float = name.hasSuffix("running_var") ? 1.5 : 0.2
            buffer.assign((0..<buffer.count).map { _ in Float.random(in: low...high, using: &g) })
        }
        let x = Tensor(shape: [2, 3, size, size], values: (0..<2 * 3 * size * size).map { _ in Float.random(in: -1...1, using: &g) })
        func features(_ fused: Bool) -> [Float] {
            LayerFusion.isEnabled = fused
            return GradMode.withoutGradients { model.features(x, context: .inference) }.values
        }
        let fused = features(true), unfused = features(false)
        return zip(fused, unfused).map { abs($0 - $1) }.max()! / unfused.map(abs).max()!
    }

    func testEfficientNetLite0() { XCTAssertLessThan(relativeDifference(.efficientNetLite0, size: 64), 1e-5) }
    func testMobileNetV2() { XCTAssertLessThan(relativeDifference(.mobileNetV2, size: 64), 1e-5) }
    func testResNet50() { XCTAssertLessThan(relativeDifference(.resNet50, size: 64), 1e-5) }
    func testVGG16() { XCTAssertLessThan(relativeDifference(.vgg16, size: 32), 1e-5) }
}
