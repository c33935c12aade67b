import CDNNL
import CGraftKernels

/// Everything that identifies one 2-D convolution's shapes and hyper-parameters.
struct ConvGeometry {
    let batch, inChannels, height, width: Int
    let outChannels, kernelH, kernelW, groups: Int
    let stride: (Int, Int)
    let dilation: (Int, Int)
    let pad: (top: Int, bottom: Int, left: Int, right: Int)
    let hasBias: Bool

    var outHeight: Int { slidingOutputSize(height, kernel: kernelH, stride: stride.0, dilation: dilation.0, padBefore: pad.top, padAfter: pad.bottom) }
    var outWidth: Int { slidingOutputSize(width, kernel: kernelW, stride: stride.1, dilation: dilation.1, padBefore: pad.left, padAfter: pad.right) }

    var srcDims: [Int] { [batch, inChannels, height, width] }
    var dstDims: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// oneDNN wants grouped weights as 5-D (g, o/g, i/g, kh, kw); the bytes are those of PyTorch's
    /// plain (o, i/g, kh, kw).
    var weightDims: [Int] {
        groups == 1 ? [outChannels, inChannels, kernelH, kernelW]
                    : [groups, outChannels / groups, inChannels / groups, kernelH, kernelW]
    }
    var isDepthwise: Bool { groups > 1 && groups == inChannels && groups == outChannels }

    var ints: [Int] {
        [batch, inChannels, height, width, outChannels, kernelH, kernelW, groups, stride.0, stride.1,
         dilation.0, dilation.1, pad.top, pad.bottom, pad.left, pad.right, hasBias ? 1 : 0]
    }

    /// oneDNN counts dilation from 0 (no gaps).
    var dnnlStrides: [dnnl_dim_t] { [dnnl_dim_t(stride.0), dnnl_dim_t(stride.1)] }
    var dnnlDilates: [dnnl_dim_t] { [dnnl_dim_t(dilation.0 - 1), dnnl_dim_t(dilation.1 - 1)] }
    var padL: [dnnl_dim_t] { [dnnl_dim_t(pad.top), dnnl_dim_t(pad.left)] }
    var padR: [dnnl_dim_t] { [dnnl_dim_t(pad.bottom), dnnl_dim_t(pad.right)] }

    /// Multiply-adds of the forward pass, times two.
    var flops: Double {
        2 * Double(batch * outChannels * outHeight * outWidth) * Double(inChannels / groups * kernelH * kernelW)
    }
}

/// 2-D convolution of `x` (N, C, H, W) with `weight` (O, C / groups, kH, kW), PyTorch's layout.
/// A 2-D `weight` (O, C) is a 1x1 kernel: a Linear layer's weight applied to every pixel, as
/// ConvNeXt's blocks apply theirs to the channels-last tensor (the same sums, without the permutes).
///
/// `dilation` counts as in PyTorch (1 = no gaps). The output stays in the layout oneDNN picked
/// (blocked for most shapes), ready for the next op.
public func conv2d(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                   padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    let g = ConvGeometry(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)

    let training = GradMode.isEnabled && (x.requiresGrad || weight.requiresGrad || bias?.requiresGrad == true)
    let fwd = ConvPrimitives.forward(g, training: training)
    let src = x.storage.reordered(to: fwd.layout(of: DNNL_ARG_SRC))
    let dst = fwd.run(src: src, weight: weight, bias: bias)

    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    // Backward keeps `src` (for weight gradients) and the weight tensor, never `x` itself.
    let needsInputGrad = x.requiresGrad, needsWeightGrad = weight.requiresGrad || bias?.requiresGrad == true
    let savedSrc = needsWeightGrad ? src : nil, inputCount = inputs.count, weightShape = weight.shape
    let result = record("conv2d", output: dst, inputs: inputs) { dy in
        var grads: [Storage?] = [nil, nil, nil]
        if needsInputGrad {
            let bwd = ConvPrimitives.backwardData(g)
            let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
            bwd.execute([DNNL_ARG_DIFF_DST: dy.reordered(to: bwd.layout(of: DNNL_ARG_DIFF_DST)),
                         DNNL_ARG_WEIGHTS: weight.cachedStorage(in: bwd.layout(of: DNNL_ARG_WEIGHTS)),
                         DNNL_ARG_DIFF_SRC: diffSrc])
            AutodiffStats.shared.noteKernel("conv2d.backwardData")
            grads[0] = diffSrc
        }
        if needsWeightGrad, let src = savedSrc {
            let (dw, db) = convBackwardWeights(g, src: src, dy: dy)
            AutodiffStats.shared.noteKernel("conv2d.backwardWeights")
            grads[1] = weight.requiresGrad ? Storage(aliasing: dw, as: .plain(weightShape)) : nil
            grads[2] = db
        }
        return Array(grads.prefix(inputCount))
    }
    return traced(result, inputs: [x, weight, bias]) { ids in
        .convolution(g.traced(weight: ids[weight], bias: bias.map { ids[$0] }), postOps: [])
    }
}

/// Weight (and bias) gradients in the weight's plain layout.
private func convBackwardWeights(_ g: ConvGeometry, src: Storage, dy: Storage) -> (Storage, Storage?) {
    if let fast = DepthwiseBackwardWeights.run(g, src: src, dy: dy) { return fast }
    let bwd = ConvPrimitives.backwardWeights(g)
    let dw = bwd.output(DNNL_ARG_DIFF_WEIGHTS)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: src.reordered(to: bwd.layout(of: DNNL_ARG_SRC)),
                                  DNNL_ARG_DIFF_DST: dy.reordered(to: bwd.layout(of: DNNL_ARG_DIFF_DST)),
                                  DNNL_ARG_DIFF_WEIGHTS: dw]
    var db: Storage?
    if g.hasBias {
        db = bwd.output(DNNL_ARG_DIFF_BIAS)
        args[DNNL_ARG_DIFF_BIAS] = db
    }
    bwd.execute(args)
    // Back to the 4-D plain (O, I/g, kH, kW) of the weight tensor.
    let plain = dw.reordered(to: .plain(g.weightDims))
    let as4D = Storage(aliasing: plain, as: .plain([g.outChannels, g.inChannels / g.groups, g.kernelH, g.kernelW]))
    return (as4D, db)
}

extension ConvGeometry {
    /// These attributes as a trace records them.
    func traced(weight: TraceValueID, bias: TraceValueID?) -> TraceOp.Convolution {
        TraceOp.Convolution(inChannels: inChannels, outChannels: outChannels, kernel: SpatialSize(kernelH, kernelW),
                            stride: SpatialSize(stride.0, stride.1), dilation: SpatialSize(dilation.0, dilation.1),
                            padding: PaddingAmounts(pad),
                            groups: groups, weight: weight, bias: bias)
    }

    /// The geometry of convolving `x` (N, C, H, W) with `weight` (O, C / groups, kH, kW), or with
    /// a 2-D `weight` (O, C), a 1x1 kernel.
    init(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: Padding, dilation: (Int, Int), groups: Int) {
        precondition(x.shape.count == 4, "conv2d input must be (N, C, H, W), not \(x.shape)")
        precondition(weight.shape.count == 4 || weight.shape.count == 2,
                     "conv2d weight must be (O, C/groups, kH, kW) or (O, C), not \(weight.shape)")
        let kernel = weight.shape.count == 2 ? weight.shape + [1, 1] : weight.shape
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (kernel[0], kernel[2], kernel[3])
        precondition(groups >= 1 && c % groups == 0 && o % groups == 0,
                     "conv2d: \(c) input and \(o) output channels do not split into \(groups) groups")
        precondition(kernel[1] * groups == c,
                     "conv2d: weight \(weight.shape) expects \(kernel[1] * groups) input channels, input has \(c)")
        if let bias { precondition(bias.shape == [o], "conv2d: bias \(bias.shape) should be [\(o)]") }
        let pad = padding.amounts(height: h, width: w, kernel: (kh, kw), stride: stride, dilation: dilation)
        self.init(batch: n, inChannels: c, height: h, width: w, outChannels: o, kernelH: kh, kernelW: kw,
                  groups: groups, stride: stride, dilation: dilation, pad: pad, hasBias: bias != nil)
        precondition(outHeight > 0 && outWidth > 0, "conv2d: input \(h)x\(w) is smaller than the kernel window")
    }
}

/// The cached forward and backward primitives of a convolution geometry.
enum ConvPrimitives {
    static func forward(_ g: ConvGeometry, training: Bool) -> Primitive {
        let prop = training ? dnnl_forward_training : dnnl_forward_inference
        return try! PrimitiveCache.shared.primitive(PrimitiveKey("conv.fwd", ints: g.ints + [Int(prop.rawValue)])) {
            try makePD(forwardDesc(g, prop: prop), "convolution forward \(g.srcDims) -> \(g.dstDims)")
        }
    }

    /// Backward primitives need a forward descriptor as a hint; the training one is cached too.
    private static func hint(_ g: ConvGeometry) -> dnnl_primitive_desc_t { forward(g, training: true).pd }

    static func backwardData(_ g: ConvGeometry) -> Primitive {
        try! PrimitiveCache.shared.primitive(PrimitiveKey("conv.bwd_data", ints: g.ints)) {
            var desc = dnnl_convolution_desc_t()
            var diffSrc = Layout.any(g.srcDims).desc, wts = Layout.any(g.weightDims).desc, diffDst = Layout.any(g.dstDims).desc
            try dnnlCheck(dnnl_dilated_convolution_backward_data_desc_init(
                &desc, dnnl_convolution_direct, &diffSrc, &wts, &diffDst,
                g.dnnlStrides, g.dnnlDilates, g.padL, g.padR), "convolution backward-data desc")
            return try makePD(desc, hint: hint(g), "convolution backward-data \(g.srcDims)")
        }
    }

    static func backwardWeights(_ g: ConvGeometry) -> Primitive {
        try! PrimitiveCache.shared.primitive(PrimitiveKey("conv.bwd_weights", ints: g.ints)) {
            var desc = dnnl_convolution_desc_t()
            var src = Layout.any(g.srcDims).desc, diffW = Layout.any(g.weightDims).desc, diffDst = Layout.any(g.dstDims).desc
            var diffB = Layout.plain([g.outChannels]).desc
            try withOptionalPointer(g.hasBias ? diffB : nil, &diffB) { biasPtr in
                try dnnlCheck(dnnl_dilated_convolution_backward_weights_desc_init(
                    &desc, dnnl_convolution_direct, &src, &diffW, biasPtr, &diffDst,
                    g.dnnlStrides, g.dnnlDilates, g.padL, g.padR), "convolution backward-weights desc")
            }
            return try makePD(desc, hint: hint(g), "convolution backward-weights \(g.srcDims)")
        }
    }

    static func forwardDesc(_ g: ConvGeometry, prop: dnnl_prop_kind_t) throws -> dnnl_convolution_desc_t {
        var desc = dnnl_convolution_desc_t()
        var src = Layout.any(g.srcDims).desc, wts = Layout.any(g.weightDims).desc, dst = Layout.any(g.dstDims).desc
        // oneDNN's AVX-512 convolutions take nChw16c or channels-last only: asked for nChw8c, it
        // picks its AVX2 kernel. The source too, except for a stem's few channels, which that kernel
        // reads plain; left open, a depthwise convolution's would fall to the reference kernel.
        if prop == dnnl_forward_inference, InferenceKernels.holdToAVX2 {
            dst = Layout(tagged: g.dstDims, tag: dnnl_aBcd8b).desc
            if g.inChannels >= 8 { src = Layout(tagged: g.srcDims, tag: dnnl_aBcd8b).desc }
        }
        var bias = Layout.plain([g.outChannels]).desc
        try withOptionalPointer(g.hasBias ? bias : nil, &bias) { biasPtr in
            try dnnlCheck(dnnl_dilated_convolution_forward_desc_init(
                &desc, prop, dnnl_convolution_direct, &src, &wts, biasPtr, &dst,
                g.dnnlStrides, g.dnnlDilates, g.padL, g.padR), "convolution forward desc")
        }
        return desc
    }
}

/// Passes a pointer to `storage` when `value` is present, else NULL (optional descriptors).
func withOptionalPointer<T, R>(_ value: T?, _ storage: inout T, _ body: (UnsafePointer<T>?) throws -> R) rethrows -> R {
    if value == nil { return try body(nil) }
    return try withUnsafePointer(to: &storage) { try body($0) }
}
