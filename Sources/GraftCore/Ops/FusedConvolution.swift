import CDNNL

/// A convolution whose output gets a residual added and then an activation applied inside the
/// same oneDNN primitive (post-ops): one pass over the output where separate ops take three.
///
/// For forward passes that need no gradient only (inference, and frozen layers while the rest of
/// a network trains): the fused primitive keeps nothing for a backward pass. With BatchNorm's
/// running statistics folded into `weight` and `bias` (see GraftNN's `Conv2d.forward(_:normalizedBy:)`),
/// a conv -> BatchNorm -> [+ residual] -> ReLU6 chain becomes a single primitive.
///
/// When oneDNN has no fast kernel for the combination on this CPU, it runs as separate ops with
/// the same result. With `winograd`, a stride-1 3x3 convolution runs as Winograd F(4x4, 3x3)
/// where that applies (see `WinogradConvolution`): faster, with about three times oneDNN's rounding
/// error.
public func conv2dInference(_ x: Tensor, weight: Tensor, bias: Tensor?, stride: (Int, Int) = (1, 1),
                            padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1,
                            adding residual: Tensor? = nil, activation: Activation? = nil,
                            winograd: Bool = WinogradConvolution.isEnabledByDefault) -> Tensor {
    precondition(!GradMode.isEnabled || ![x, weight, bias, residual].contains { $0?.requiresGrad == true },
                 "conv2dInference computes no gradient; use conv2d for inputs that need one")
    let g = ConvGeometry(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    if let residual {
        precondition(residual.shape == g.dstDims, "conv2dInference: residual \(residual.shape) should be \(g.dstDims)")
    }
    let dst: Storage
    if winograd, let transformed = WinogradConvolution.run(g, src: x.storage, weight: weight, bias: bias,
                                                           residual: residual?.storage, activation: activation) {
        dst = transformed
    } else if let folded = WidthFolding.run(g, src: x.storage, weight: weight, bias: bias, residual: residual?.storage, activation: activation) {
        dst = folded
    } else {
        let epilogue = ConvEpilogue(residual: residual?.storage.layout, activation: activation)
        guard let fwd = ConvPrimitives.fused(g, epilogue) else {
            let y = conv2dInference(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
                                    winograd: winograd)
            return addingResidualThenActivating(y, residual, activation)
        }
        dst = fwd.run(src: x.storage.reordered(to: fwd.layout(of: DNNL_ARG_SRC)), weight: weight, bias: bias,
                      extra: residual.map { [ConvEpilogue.residualArgument: $0.storage] } ?? [:])
    }
    return traced(Tensor(storage: dst, shape: g.dstDims), inputs: [x, weight, bias, residual]) { ids in
        .convolution(g.traced(weight: ids[weight], bias: bias.map { ids[$0] }),
                     postOps: [residual.map { .add(ids[$0]) }, activation.map(TraceOp.PostOp.activation)].compactMap { $0 })
    }
}

/// The post-ops of a fused convolution: binary add of a residual (in the layout given), then an
/// element-wise activation.
struct ConvEpilogue {
    let residual: Layout?
    let activation: Activation?

    /// The execution argument of the first post-op's second operand.
    static let residualArgument = Int32(DNNL_ARG_ATTR_MULTIPLE_POST_OP_BASE) | Int32(DNNL_ARG_SRC_1)

    var isEmpty: Bool { residual == nil && activation == nil }

    var ints: [Int] { [PostOp.key(activation)] }

    var postOps: [PostOp] { [residual.map(PostOp.add), activation.map(PostOp.activation)].compactMap { $0 } }
}

extension ConvPrimitives {
    /// The inference primitive with `epilogue` fused, or nil when oneDNN offers only a reference
    /// kernel for it, or would write the output in another layout than the residual's.
    static func fused(_ g: ConvGeometry, _ epilogue: ConvEpilogue) -> Primitive? {
        guard !epilogue.isEmpty else { return forward(g, training: false) }
        let key = PrimitiveKey("conv.fused", ints: g.ints + epilogue.ints, layouts: epilogue.residual.map { [$0] } ?? [])
        return PrimitiveCache.shared.primitiveIfSupported(key, accept: { primitive in
            !primitive.isReferenceKernel
                && (epilogue.residual.map { primitive.layout(of: DNNL_ARG_DST) == $0 } ?? true)
        }) {
            try withPostOps(epilogue.postOps) { attr in
                try makePD(forwardDesc(g, prop: dnnl_forward_inference), attr: attr, "fused convolution \(g.srcDims) -> \(g.dstDims)")
            }
        }
    }
}
