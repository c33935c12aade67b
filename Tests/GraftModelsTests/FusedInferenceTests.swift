@testable import GraftCore
import GraftNN
import XCTest
@testable import GraftModels

/// Whole feature extractors with fused inference (BatchNorm folded, residual and activation as post-ops)
/// against the same networks run layer by layer: they must agree to 1e-5 relative (with oneDNN's
/// direct convolutions; Winograd's are checked in ResNet50WinogradTests).
final class FusedInferenceTests: XCTestCase {
    private func relativeDifference(_ kind: BackboneKind, size: Int, prepare: (any Backbone) -> Void = { _ in }) -> Float {
        let model = kind.make(classes: 10, seed: 1)
        prepare(model)
        // Running statistics away from 0 / 1, so that folding them in is really exercised.
        var g = SeededGenerator(seed: 2)
        for (name, buffer) in model.namedBuffers() {
            let low: Float = name.hasSuffix("running_var") ? 0.5 : -0.2, high: Float = name.hasSuffix("running_var") ? 1.5 : 0.2
            buffer.assign((0..<buffer.count).map { _ in Float.random(in: low...high, using: &g) })
        }
        let x = Tensor(shape: [2, 3, size, size], values: (0..<2 * 3 * size * size).map { _ in Float.random(in: -1...1, using: &g) })
        func features(_ fused: Bool) -> [Float] {
            GradMode.withoutGradients { model.features(x, context: ForwardContext(training: false, fusion: fused, winograd: false)) }.values
        }
        let fused = features(true), unfused = features(false)
        return zip(fused, unfused).map { abs($0 - $1) }.max()! / unfused.map(abs).max()!
    }

    /// Also checks that the inverted residuals' 1x1 + depthwise pairs ran as one primitive. The
    /// cache starts empty: an earlier test of the same network and shape would otherwise have
    /// made those primitives already, and a count of new ones would see none.
    private func checkInvertedResiduals(_ kind: BackboneKind) {
        PrimitiveCache.shared.removeAll()
        XCTAssertLessThan(relativeDifference(kind, size: 64), 1e-5)
        XCTAssertGreaterThan(PrimitiveCache.shared.count(of: "conv.pw_dw"), 0, "no 1x1 + depthwise fusion ran")
    }

    func testEfficientNetLite0() { checkInvertedResiduals(.efficientNetLite0) }
    func testMobileNetV2() { checkInvertedResiduals(.mobileNetV2) }
    func testEfficientNetB0() { checkInvertedResiduals(.efficientNetB0) }
    func testMobileNetV3Large() { checkInvertedResiduals(.mobileNetV3Large) }
    func testMobileNetV3Small() { XCTAssertLessThan(relativeDifference(.mobileNetV3Small, size: 64), 1e-5) }
    func testResNet50() { XCTAssertLessThan(relativeDifference(.resNet50, size: 64), 1e-5) }

    func testVGG16() { XCTAssertLessThan(relativeDifference(.vgg16, size: 32), 1e-5) }

    /// Each block's GELU runs inside its first Linear's inner product. A layer scale of 0.5 instead of
    /// torchvision's initial 1e-6, so that what the blocks compute shows in the features.
    func testConvNeXtTiny() {
        PrimitiveCache.shared.removeAll()
        let difference = relativeDifference(.convNeXtTiny, size: 64) { model in
            for (name, tensor) in model.namedParameters() where name.hasSuffix("layer_scale") {
                tensor.assign([Float](repeating: 0.5, count: tensor.count))
            }
        }
        XCTAssertLessThan(difference, 1e-5)
        XCTAssertGreaterThan(PrimitiveCache.shared.count(of: "pixel.fused"), 0, "no Linear ran with its GELU fused")
    }

    /// conv1 -> norm2 -> ReLU folded into one primitive in every dense layer.
    func testDenseNet121() { XCTAssertLessThan(relativeDifference(.denseNet121, size: 64), 1e-5) }
}
