import CDNNL

/// Element-wise activations, run by oneDNN in whatever layout the input is in.
public enum Activation: String, CaseIterable, Sendable {
    case relu, relu6, sigmoid, silu, hardSwish

    var algorithm: (alg: dnnl_alg_kind_t, alpha: Float, beta: Float) {
        switch self {
        case .relu: return (dnnl_eltwise_relu, 0, 0)
        case .relu6: return (dnnl_eltwise_clip_v2, 0, 6)
        case .sigmoid: return (dnnl_eltwise_logistic, 0, 0)
        case .silu: return (dnnl_eltwise_swish, 1, 0)
        case .hardSwish: return (dnnl_eltwise_hardswish, 0, 0)
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

public func activation(_ x: Tensor, _ kind: Activation) -> Tensor {
    let (alg, alpha, beta) = kind.algorithm
    let layout = x.storage.layout
    let ints = [Int(alg.rawValue), Int(alpha.bitPattern), Int(beta.bitPattern)]
    let fwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("eltwise.fwd", ints: ints, layouts: [layout])) {
        var desc = dnnl_eltwise_desc_t()
        var data = layout.desc
        try dnnlCheck(dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_training, alg, &data, alpha, beta), "eltwise desc")
        return try makePD(desc, "\(kind) forward \(x.shape)")
    }
    let dst = fwd.output(DNNL_ARG_DST)
    fwd.execute([DNNL_ARG_SRC: x.storage, DNNL_ARG_DST: dst])
    let src = x.storage
    return record(kind.rawValue, output: dst, shape: x.shape, inputs: [x]) { dy in
        let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("eltwise.bwd", ints: ints, layouts: [layout])) {
            var desc = dnnl_eltwise_desc_t()
            var data = layout.desc, diff = layout.desc
            try dnnlCheck(dnnl_eltwise_backward_desc_init(&desc, alg, &diff, &data, alpha, beta), "eltwise backward desc")
            return try makePD(desc, hint: fwd.pd, "\(kind) backward \(x.shape)")
        }
        let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
        bwd.execute([DNNL_ARG_SRC: src, DNNL_ARG_DIFF_DST: dy.reordered(to: layout), DNNL_ARG_DIFF_SRC: diffSrc])
        return [diffSrc]
    }
}
