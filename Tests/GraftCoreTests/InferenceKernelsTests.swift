import CDNNL
@testable import GraftCore
import XCTest

/// Inference held to oneDNN's AVX2 kernels where AVX-512 runs in halves (`InferenceKernels`): who
/// decides, and what the convolutions then run on.
final class InferenceKernelsTests: XCTestCase {
    func testTheChoiceFollowsTheCPUUnlessTheUserMadeIt() {
        let decide = InferenceKernels.holdsToAVX2
        XCTAssertTrue(decide([:], true, true), "Zen 4: held to AVX2 by default")
        XCTAssertFalse(decide([:], true, false), "full-width AVX-512 keeps its kernels")
        XCTAssertFalse(decide([:], false, false), "an AVX2 CPU runs AVX2 anyway")
        XCTAssertFalse(decide(["GRAFT_INFERENCE_AVX2": "0"], true, true))
        XCTAssertTrue(decide(["GRAFT_INFERENCE_AVX2": "1"], true, false))
        XCTAssertFalse(decide(["GRAFT_INFERENCE_AVX2": "1"], false, false), "nothing to hold without AVX-512")
        for variable in ["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"] {
            XCTAssertFalse(decide([variable: "AVX512_CORE"], true, true), "\(variable): the user's choice of ISA stands")
        }
    }

    /// Held to AVX2, every kind of inference convolution runs a JIT AVX2 kernel on nChw8c (a
    /// depthwise one left to choose its source layout would take the reference kernel); training's
    /// keep the CPU's best.
    func testHeldInferenceConvolutionsRunAVX2KernelsOnBlocksOf8() throws {
        try XCTSkipUnless(InferenceKernels.holdToAVX2, "inference is not held to AVX2 on this CPU (\(Engine.detectedISA))")
        var g = SeededGenerator(seed: 5)
        // (input channels, output channels, kernel, groups): a stem, a 1x1, a 3x3, a depthwise 5x5.
        for (c, o, k, groups) in [(3, 32, 3, 1), (32, 64, 1, 1), (64, 64, 3, 1), (64, 64, 5, 64)] {
            let x = Tensor(shape: [2, c, 14, 14], values: g.normals(2 * c * 14 * 14))
            let w = Tensor(shape: [o, c / groups, k, k], values: g.normals(o * c / groups * k * k, std: 0.1))
            let padding = Padding.symmetric(height: k / 2, width: k / 2)
            let geometry = ConvGeometry(x, weight: w, bias: nil, stride: (1, 1), padding: padding, dilation: (1, 1), groups: groups)
            let inference = ConvPrimitives.forward(geometry, training: false)
            XCTAssertTrue(inference.implementation.hasSuffix(":avx2"), "\(c)->\(o) \(k)x\(k): \(inference.implementation)")
            XCTAssertEqual(inference.layout(of: DNNL_ARG_DST).channelBlock, 8, "\(c)->\(o) \(k)x\(k)")
            let y = GradMode.withoutGradients { conv2dInference(x, weight: w, bias: nil, padding: padding, groups: groups, winograd: false) }
            XCTAssertEqual(y.storage.layout.channelBlock, 8)
            let reference = conv2d(x, weight: w, padding: padding, groups: groups)
            assertMatchesReference(y.values, RefTensor(shape: reference.shape, floats: reference.values), tolerance: 1e-5,
                                   "\(c)->\(o) \(k)x\(k): held inference against training's kernel")
            let training = ConvPrimitives.forward(geometry, training: true)
            XCTAssertFalse(training.implementation.hasSuffix(":avx2"), "training keeps AVX-512: \(training.implementation)")
        }
    }
}
