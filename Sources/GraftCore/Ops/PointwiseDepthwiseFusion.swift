import CDNNL

/// The depthwise 3x3 convolution that follows a 1x1 one in an inverted-residual block, as a oneDNN
/// depthwise post-op.
public struct DepthwiseFollower {
    /// (C, 1, 3, 3), PyTorch's layout.
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: Int
    public let padding: Padding
    public let activation: Activation?

    public init(weight: Tensor, bias: Tensor?, stride: Int, padding: Padding, activation: Activation?) {
        self.weight = weight
        self.bias = bias
        self.stride = stride
        self.padding = padding
        self.activation = activation
    }
}

/// 1x1 convolution -> activation -> depthwise 3x3 -> activation as one oneDNN primitive, for
/// passes that need no gradient: the expanded tensor between the two convolutions (six times the
/// block's width, the largest in the block) is never written to memory.
///
/// Returns nil when oneDNN has no fast kernel for the combination on this CPU or the depthwise
/// padding is not one it can express (left/top padding p, output ceil(input / stride)); the
/// caller then runs the two convolutions separately.
public func pointwiseDepthwiseInference(_ x: Tensor, weight: Tensor, bias: Tensor?, padding: Padding = .valid,
                                        activation: Activation?, then depthwise: DepthwiseFollower) -> Tensor? {
    precondition(!GradMode.isEnabled || ![x, weight, bias, depthwise.weight, depthwise.bias].contains { $0?.requiresGrad == true },
                 "pointwiseDepthwiseInference computes no gradient")
    let g = ConvGeometry(x, weight: weight, bias: bias, stride: (1, 1), padding: padding, dilation: (1, 1), groups: 1)
    let channels = g.outChannels
    guard g.kernelH == 1, g.kernelW == 1, g.pad == (0, 0, 0, 0), depthwise.weight.shape == [channels, 1, 3, 3],
          depthwise.bias.map({ $0.shape == [channels] }) ?? true else { return nil }
    let s = depthwise.stride
    let pad = depthwise.padding.amounts(height: g.outHeight, width: g.outWidth, kernel: (3, 3), stride: (s, s), dilation: (1, 1))
    let outHeight = (g.outHeight + s - 1) / s, outWidth = (g.outWidth + s - 1) / s
    let dw = ConvGeometry(batch: g.batch, inChannels: channels, height: g.outHeight, width: g.outWidth, outChannels: channels,
                          kernelH: 3, kernelW: 3, groups: channels, stride: (s, s), dilation: (1, 1), pad: pad, hasBias: true)
    // oneDNN's depthwise post-op pads left/top by p and sizes the output ceil(input / stride).
    guard pad.top == pad.left, dw.outHeight == outHeight, dw.outWidth == outWidth else { return nil }

    let key = PrimitiveKey("conv.pw_dw", ints: g.ints + [s, pad.top, PostOp.key(activation), PostOp.key(depthwise.activation)])
    let fused = PrimitiveCache.shared.primitiveIfSupported(key, accept: { primitive in
        !primitive.isReferenceKernel && primitive.layout(of: DNNL_ARG_DST).dims == dw.dstDims
    }) {
        let postOps = [activation.map(PostOp.activation), .depthwise3x3(stride: s, padLeft: pad.top),
                       depthwise.activation.map(PostOp.activation)].compactMap { $0 }
        return try withPostOps(postOps) { attr in
            try makePD(ConvPrimitives.forwardDesc(g, prop: dnnl_forward_inference), attr: attr,
                       "1x1 + depthwise convolution \(g.srcDims) -> \(dw.dstDims)")
        }
    }
    guard let fused else { return nil }
    let dwWeights = Int32(DNNL_ARG_ATTR_POST_OP_DW) | Int32(DNNL_ARG_WEIGHTS)
    let dwBias = Int32(DNNL_ARG_ATTR_POST_OP_DW) | Int32(DNNL_ARG_BIAS)
    let dst = fused.output(DNNL_ARG_DST)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: x.storage.reordered(to: fused.layout(of: DNNL_ARG_SRC)),
                                  DNNL_ARG_WEIGHTS: weight.cachedStorage(in: fused.layout(of: DNNL_ARG_WEIGHTS)),
                                  DNNL_ARG_DST: dst,
                                  dwWeights: depthwise.weight.cachedStorage(in: fused.layout(of: dwWeights))]
    if let bias { args[DNNL_ARG_BIAS] = bias.storage }
    // oneDNN always reads a depthwise bias; a missing one is zeros.
    args[dwBias] = depthwise.bias?.storage ?? Storage(layout: fused.layout(of: dwBias), zeroed: true)
    fused.execute(args)
    return traced(Tensor(storage: dst, shape: dw.dstDims), inputs: [x, weight, bias, depthwise.weight, depthwise.bias]) { ids in
        let follower = dw.traced(weight: ids[depthwise.weight], bias: depthwise.bias.map { ids[$0] })
        let postOps: [TraceOp.PostOp?] = [activation.map(TraceOp.PostOp.activation), .depthwise(follower),
                                          depthwise.activation.map(TraceOp.PostOp.activation)]
        return .convolution(g.traced(weight: ids[weight], bias: bias.map { ids[$0] }), postOps: postOps.compactMap { $0 })
    }
}
