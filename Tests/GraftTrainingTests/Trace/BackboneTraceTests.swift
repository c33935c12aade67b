import GraftCore
import GraftModels
import GraftNN
import XCTest

/// A trace of each backbone's inference, fused and unfused, lists every op with its attributes
/// and replays (naive loops in double precision) to the network's own output.
///
/// Batches of three: other tests watch the primitive cache grow for their own shapes (batch 2), and
/// BatchNorm statistics measured on three examples of a 2x2 last map keep the replay well conditioned.
final class BackboneTraceTests: XCTestCase {
    /// Whether a residual is added inside the convolution before it. Where inference runs oneDNN's
    /// AVX-512 kernels (not on a Zen 4: `InferenceKernels`), oneDNN 2.6 writes 1x1 convolutions
    /// channels-last (brgconv) and has only its reference kernel for a channels-last residual
    /// post-op, so there the addition stays a node of its own.
    private let residualsFuse = Tensor.inferenceChannelBlock == 8

    private func counts(_ model: Module) -> (convolutions: Int, norms: Int) {
        let modules = model.namedModules().map(\.module)
        return (modules.filter { $0 is Conv2d }.count, modules.filter { $0 is BatchNorm2d }.count)
    }

    /// Replays both traces, checks that every Conv2d and BatchNorm2d appears (folded when fused),
    /// that fused constants name what they were folded from, and returns both traces.
    private func check(_ subject: TracedModel, tolerance: Double = 1e-4) -> (fused: InferenceTrace, unfused: InferenceTrace) {
        subject.calibrate()
        let (convolutions, norms) = counts(subject.model)
        let unfused = subject.checkReplay(fusion: false, tolerance: tolerance)
        XCTAssertEqual(unfused.convolutions.count, convolutions)
        XCTAssertEqual(unfused.batchNormCount, norms)
        XCTAssertEqual(unfused.postOpCount, 0)
        for (node, attributes, _) in unfused.convolutions {
            XCTAssertNotNil(unfused[attributes.weight].name, "an unfused convolution's weight is a named parameter")
            XCTAssertEqual(unfused[node.inputs[0]].role == .constant, false)
        }

        let fused = subject.checkReplay(fusion: true, tolerance: tolerance)
        XCTAssertEqual(fused.allConvolutions.count, convolutions, "every Conv2d ran, as a node or a depthwise post-op")
        XCTAssertEqual(fused.batchNormCount, 0, "every BatchNorm follows a convolution and is folded into it")
        if norms > 0 {
            var folded = 0
            for attributes in fused.allConvolutions {
                guard let folding = fused[attributes.weight].folding else {
                    // A convolution that no BatchNorm follows (squeeze-excite's) runs with its own weights.
                    XCTAssertNotNil(fused[attributes.weight].name, "a fused weight that is neither folded nor a parameter")
                    continue
                }
                folded += 1
                XCTAssertEqual(folding.part, .weight)
                XCTAssertTrue(folding.convolutionWeight!.hasSuffix("weight"))
                XCTAssertTrue(folding.runningMean!.hasSuffix("running_mean"))
                XCTAssertEqual(fused[attributes.bias!].folding?.part, .bias)
                XCTAssertEqual(fused[attributes.bias!].folding?.runningVariance, folding.runningVariance)
            }
            XCTAssertEqual(folded, norms, "every BatchNorm is folded into the convolution before it")
        }
        return (fused, unfused)
    }

    func testEfficientNetLite0() {
        let model = EfficientNetLite(.lite0, classes: 10, seed: 1)
        let (fused, unfused) = check(TracedModel(model, inputShape: [3, 3, 64, 64]) { model($0, context: $1) })
        for trace in [fused, unfused] {
            // TensorFlow's SAME: the stem (3x3, stride 2 on 64) pads 0 at the top and left, 1 at the bottom and right.
            let stem = trace.convolutions[0].attributes
            XCTAssertEqual(stem.padding, PaddingAmounts(top: 0, bottom: 1, left: 0, right: 1))
            XCTAssertEqual(stem.stride, SpatialSize(2, 2))
            XCTAssertTrue(trace.allConvolutions.contains { $0.kernel == SpatialSize(5, 5) && $0.groups == $0.inChannels })
        }
        XCTAssertEqual(fused[fused.convolutions[0].attributes.weight].folding?.convolutionWeight, "_conv_stem.weight")
        XCTAssertEqual(fused[fused.convolutions[0].attributes.weight].folding?.runningMean, "_bn0.running_mean")
        XCTAssertEqual(fused[fused.convolutions[0].attributes.weight].folding?.epsilon, 1e-3)
        // The inverted residuals' 1x1 -> ReLU6 -> depthwise -> ReLU6 ran as one primitive each.
        let pairs = fused.convolutions.filter { $0.postOps.contains { if case .depthwise = $0 { return true } else { return false } } }
        XCTAssertGreaterThan(pairs.count, 0)
        for pair in pairs { XCTAssertEqual(pair.postOps.first, .activation(.relu6)) }
        // Residual additions as post-ops of the projections; none left as separate nodes (on AVX2:
        // see residualsFuse).
        let addedInside = fused.convolutions.filter { $0.postOps.contains { if case .add = $0 { return true } else { return false } } }
        XCTAssertEqual(addedInside.count > 0, residualsFuse)
        XCTAssertEqual(fused.count { $0 == .add } == 0, residualsFuse)
        XCTAssertGreaterThan(unfused.count { $0 == .add }, 0)
        // Global pool, then the classifier; inference dropout leaves no node.
        XCTAssertEqual(Array(fused.nodes.suffix(2).map(\.op).prefix(1)), [.globalAveragePool])
        XCTAssertEqual(fused.count { if case .dropout = $0 { return true } else { return false } }, 0)
    }

    func testMobileNetV2() {
        let model = MobileNetV2(classes: 10, seed: 1)
        let (fused, unfused) = check(TracedModel(model, inputShape: [3, 3, 64, 64]) { model($0, context: $1) })
        for trace in [fused, unfused] {
            XCTAssertTrue(trace.allConvolutions.allSatisfy(\.padding.isSymmetric), "torchvision pads symmetrically")
            XCTAssertEqual(trace.allConvolutions.filter { $0.groups > 1 }.count, 17)
        }
        XCTAssertEqual(unfused.count { $0 == .activation(.relu6) }, 35)
    }

    /// Squeeze-excite (a whole-map average pooling, two 1x1 convolutions with biases, SiLU and
    /// sigmoid, the broadcast multiplication) in every block; stochastic depth leaves no node in
    /// inference.
    func testEfficientNetB0() {
        let model = EfficientNet(.b0, classes: 10, seed: 1)
        let (fused, unfused) = check(TracedModel(model, inputShape: [3, 3, 64, 64]) { model($0, context: $1) })
        for trace in [fused, unfused] {
            XCTAssertTrue(trace.allConvolutions.allSatisfy(\.padding.isSymmetric), "torchvision pads symmetrically")
            XCTAssertEqual(trace.count { $0 == .multiply }, 16, "one squeeze-excite gate per block")
            XCTAssertEqual(trace.count { if case .stochasticDepth = $0 { return true } else { return false } }, 0)
        }
        XCTAssertEqual(unfused.count { $0 == .activation(.sigmoid) }, 16)
        XCTAssertEqual(fused[fused.convolutions[0].attributes.weight].folding?.convolutionWeight, "features.0.0.weight")
    }

    /// Hard-swish, and squeeze-excite with ReLU and hard-sigmoid in the blocks that have it.
    func testMobileNetV3Small() {
        let model = MobileNetV3(.small, classes: 10, seed: 1)
        let (fused, unfused) = check(TracedModel(model, inputShape: [3, 3, 64, 64]) { model($0, context: $1) })
        for trace in [fused, unfused] {
            XCTAssertEqual(trace.count { $0 == .multiply }, 9, "squeeze-excite in nine of eleven blocks")
        }
        XCTAssertEqual(unfused.count { $0 == .activation(.hardSigmoid) }, 9)
        XCTAssertGreaterThan(unfused.count { $0 == .activation(.hardSwish) }, 0)
        XCTAssertGreaterThan(fused.convolutions.filter { $0.postOps.contains(.activation(.hardSigmoid)) }.count, 0,
                             "hard-sigmoid runs as a post-op of the gate's convolution when fused")
    }

    func testResNet50() {
        let model = ResNet(.resNet50, classes: 10, seed: 1)
        // Fifty-three layers, each normalized to unit variance by the calibration, accumulate float32
        // rounding: the replay in double precision differs by 1e-4 to 2e-4 (fused or not), where a
        // wrong attribute or a missing op differs by order 1.
        let (fused, _) = check(TracedModel(model, inputShape: [2, 3, 48, 48]) { model($0, context: $1) }, tolerance: 3e-4)
        let pools = fused.nodes.compactMap { if case .pooling(let p) = $0.op { return p } else { return nil } }
        XCTAssertEqual(pools, [TraceOp.Pooling(kind: .max, kernel: SpatialSize(3, 3), stride: SpatialSize(2, 2),
                                               padding: PaddingAmounts(top: 1, bottom: 1, left: 1, right: 1))])
        // Every bottleneck ends with its shortcut added and ReLU, inside the last convolution (on
        // AVX2: see residualsFuse).
        XCTAssertEqual(fused.convolutions.filter { $0.postOps.count == 2 }.count, residualsFuse ? 16 : 0)
    }

    func testVGG16() {
        let model = VGG(.vgg16, classes: 2, seed: 1)
        // PyTorch's default initialization shrinks each layer's output by sqrt(6) behind a ReLU:
        // He-scaled weights and small biases keep the input's influence to the end.
        for (name, tensor) in model.namedParameters() where name.hasPrefix("features") {
            let scale: Float = name.hasSuffix("weight") ? Float(6).squareRoot() : 0.1
            tensor.assign(tensor.values.map { $0 * scale })
        }
        let (fused, unfused) = check(TracedModel(model, inputShape: [2, 3, 32, 32]) { model.features($0, context: $1) })
        for trace in [fused, unfused] {
            XCTAssertEqual(trace.count { if case .pooling(let p) = $0 { return p.kind == .max } else { return false } }, 5)
            XCTAssertNotNil(trace.convolutions[0].attributes.bias)
        }
        // No BatchNorm: fused, ReLU is each convolution's post-op; unfused, a node of its own.
        XCTAssertEqual(fused.convolutions.map(\.postOps), [[TraceOp.PostOp]](repeating: [.activation(.relu)], count: 13))
        XCTAssertEqual(unfused.count { $0 == .activation(.relu) }, 13)
        XCTAssertEqual(fused[fused.convolutions[0].attributes.weight].name, "features.0.weight")
    }
}

/// Winograd F(4x4, 3x3) (see GraftCore's `WinogradConvolution`) on the real ResNet-50 path, its
/// BatchNorm calibrated to each layer's statistics so that activations keep their scale through
/// all 53 layers as a trained network's do.
final class ResNet50WinogradTests: XCTestCase {
    /// max |Winograd - direct|, max |direct - exact| and max |Winograd - exact| over the logits, each
    /// divided by the largest, "exact" being the trace replayed in double precision.
    private func differences(size: Int, batch: Int) throws -> (direct: Double, directError: Double, winogradError: Double) {
        let model = ResNet(.resNet50, classes: 1000, seed: 1)
        let subject = TracedModel(model, inputShape: [batch, 3, size, size]) { model($0, context: $1) }
        subject.calibrate()
        func logits(_ winograd: Bool) -> [Double] {
            GradMode.withoutGradients { model(subject.input, context: ForwardContext(training: false, winograd: winograd)) }.values.map(Double.init)
        }
        let fast = logits(true), direct = logits(false)
        try XCTSkipIf(fast == direct, "no Winograd kernel on this CPU (\(Engine.detectedISA))")
        var interpreter = TraceInterpreter(subject.trace(fusion: true).trace)
        let exact = interpreter.run([subject.input.values]).data
        func relative(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { abs($0 - $1) }.max()! / b.map(abs).max()! }
        let result = (relative(fast, direct), relative(direct, exact), relative(fast, exact))
        print("ResNet-50 at \(size) px, logits: Winograd against direct \(result.0), direct against exact \(result.1), "
              + "Winograd against exact \(result.2) of the largest")
        return result
    }

    /// Within 1e-4 of direct, the bound under which Winograd is the inference default: 2.7e-5
    /// measured at its own input size (direct float32 is 2.0e-5 off exact arithmetic there).
    func testAt224PixelsTheLogitsStayWithin1e4OfDirect() throws {
        // The difference first, outside the assertion: XCTAssert would report its XCTSkip as a failure.
        let measured = try differences(size: 224, batch: 1)
        XCTAssertLessThan(measured.direct, 1e-4)
    }

    /// At 96 px this network amplifies rounding more (direct is 5.1e-5 off exact): 8.1e-5 measured,
    /// 1.1e-4 with Lavin's interpolation points (see winograd.c).
    func testAt96PixelsTheLogitsStayWithin1e4OfDirect() throws {
        let measured = try differences(size: 96, batch: 2)
        XCTAssertLessThan(measured.direct, 1e-4)
    }
}
