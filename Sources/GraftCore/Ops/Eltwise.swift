import CDNNL

/// Element-wise activations, run by oneDNN in whatever layout the input is in.
public enum Activation: String, CaseIterable, Sendable {
    case relu, relu6, sigmoid, silu, hardSwish
    /// relu6(x + 3) / 6, MobileNetV3's squeeze-excite gate.
    case hardSigmoid
    /// x * Phi(x) with the exact normal CDF (erf), not the tanh approximation: ConvNeXt's
    /// activation (PyTorch's nn.GELU() default).
    case gelu

    /// The oneDNN element-wise steps that compute the activation, in order (as primitives or
    /// post-ops). oneDNN 2.6 has no hard-sigmoid algorithm: it is x / 6 + 1/2, then clipped to [0, 1].
    var steps: [(alg: dnnl_alg_kind_t, alpha: Float, beta: Float)] {
        switch self {
        case .relu: return [(dnnl_eltwise_relu, 0, 0)]
        case .relu6: return [(dnnl_eltwise_clip_v2, 0, 6)]
        case .sigmoid: return [(dnnl_eltwise_logistic, 0, 0)]
        case .silu: return [(dnnl_eltwise_swish, 1, 0)]
        case .hardSwish: return [(dnnl_eltwise_hardswish, 0, 0)]
        case .hardSigmoid: return [(dnnl_eltwise_linear, 1.0 / 6, 0.5), (dnnl_eltwise_clip_v2, 0, 1)]
        case .gelu: return [(dnnl_eltwise_gelu_erf, 0, 0)]
        }
    }

    /// The single oneDNN step of every activation but hard-sigmoid (see `steps`).
    var algorithm: (alg: dnnl_alg_kind_t, alpha: Float, beta: Float) {
        precondition(steps.count == 1, "\(self) takes \(steps.count) oneDNN steps")
        return steps[0]
    }

    /// The same function in the variant whose backward reads the output instead of the input
    /// (where the derivative is a function of the output). The output is what the next layer
    /// keeps for its own backward anyway, so the input can be freed as soon as the forward moves on.
    var trainingAlgorithm: (alg: dnnl_alg_kind_t, alpha: Float, beta: Float, usesOutput: Bool) {
        let (alg, alpha, beta) = algorithm
        switch self {
        case .relu: return (dnnl_eltwise_relu_use_dst_for_bwd, alpha, beta, true)
        case .relu6: return (dnnl_eltwise_clip_v2_use_dst_for_bwd, alpha, beta, true)
        case .sigmoid: return (dnnl_eltwise_logistic_use_dst_for_bwd, alpha, beta, true)
        case .silu, .hardSwish, .gelu: return (alg, alpha, beta, false)
        case .hardSigmoid: preconditionFailure("hard-sigmoid runs as its own op (hardSigmoidActivation)")
        }
    }
}

public func relu(_ x: Tensor) -> Tensor { activation(x, .relu) }
/// min(max(x, 0), 6), MobileNet's and EfficientNet-Lite's activation.
public func relu6(_ x: Tensor) -> Tensor { activation(x, .relu6) }
public func sigmoid(_ x: Tensor) -> Tensor { activation(x, .sigmoid) }
/// x * sigmoid(x), also called swish.
public func silu(_ x: Tensor) -> Tensor { activation(x, .silu) }
/// x * relu6(x + 3) / 6.
public func hardSwish(_ x: Tensor) -> Tensor { activation(x, .hardSwish) }
/// relu6(x + 3) / 6.
public func hardSigmoid(_ x: Tensor) -> Tensor { activation(x, .hardSigmoid) }
/// x * Phi(x), Phi the standard normal CDF (exact, through erf).
public func gelu(_ x: Tensor) -> Tensor { activation(x, .gelu) }

/// `kind` applied to every element of `x`.
///
/// With `reusingInput`, the result is written over `x`'s buffer where the backward rule allows it
/// (ReLU, ReLU6, sigmoid): one activation-sized buffer less per layer. The caller promises that
/// nothing reads `x` afterwards, neither its own code nor the backward rule of the op that made `x`
/// (BatchNorm and addition keep no output; a convolution keeps its input, not its output).
public func activation(_ x: Tensor, _ kind: Activation, reusingInput: Bool = false) -> Tensor {
    if kind == .hardSigmoid { return hardSigmoidActivation(x, reusingInput: reusingInput) }
    let (alg, alpha, beta, usesOutput) = kind.trainingAlgorithm
    let layout = x.storage.layout
    let ints = [Int(alg.rawValue), Int(alpha.bitPattern), Int(beta.bitPattern)]
    let fwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("eltwise.fwd", ints: ints, layouts: [layout])) {
        var desc = dnnl_eltwise_desc_t()
        var data = layout.desc
        try dnnlCheck(dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_training, alg, &data, alpha, beta), "eltwise desc")
        return try makePD(desc, "\(kind) forward \(x.shape)")
    }
    let dst = reusingInput && usesOutput ? x.storage : fwd.output(DNNL_ARG_DST)
    fwd.execute([DNNL_ARG_SRC: x.storage, DNNL_ARG_DST: dst])
    let saved = usesOutput ? dst : x.storage, savedArgument = usesOutput ? DNNL_ARG_DST : DNNL_ARG_SRC
    let shape = x.shape
    let result = record(kind.rawValue, output: dst, shape: shape, inputs: [x]) { dy in
        let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("eltwise.bwd", ints: ints, layouts: [layout])) {
            var desc = dnnl_eltwise_desc_t()
            var data = layout.desc, diff = layout.desc
            try dnnlCheck(dnnl_eltwise_backward_desc_init(&desc, alg, &diff, &data, alpha, beta), "eltwise backward desc")
            return try makePD(desc, hint: fwd.pd, "\(kind) backward \(shape)")
        }
        let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
        bwd.execute([savedArgument: saved, DNNL_ARG_DIFF_DST: dy.reordered(to: layout), DNNL_ARG_DIFF_SRC: diffSrc])
        return [diffSrc]
    }
    return traced(result, inputs: [x]) { _ in .activation(kind) }
}
