import CDNNL

/// oneDNN's inner product of a plain (rows, in) matrix with a (out, in) weight, plus a bias:
/// the primitives and the gradient computation that `linear` and `pixelLinear` share.
struct InnerProduct {
    let rows, inFeatures, outFeatures: Int
    let hasBias: Bool

    var srcDims: [Int] { [rows, inFeatures] }
    var weightDims: [Int] { [outFeatures, inFeatures] }
    var dstDims: [Int] { [rows, outFeatures] }
    private var ints: [Int] { [rows, inFeatures, outFeatures, hasBias ? 1 : 0] }

    func forward(training: Bool) -> Primitive {
        let prop = training ? dnnl_forward_training : dnnl_forward_inference
        return try! PrimitiveCache.shared.primitive(PrimitiveKey("ip.fwd", ints: ints + [Int(prop.rawValue)])) {
            try makePD(forwardDesc(prop), "inner product \(srcDims) x \(weightDims)")
        }
    }

    private func forwardDesc(_ prop: dnnl_prop_kind_t) throws -> dnnl_inner_product_desc_t {
        var desc = dnnl_inner_product_desc_t()
        var src = Layout.plain(srcDims).desc, wts = Layout.any(weightDims).desc, dst = Layout.plain(dstDims).desc
        var b = Layout.plain([outFeatures]).desc
        try withOptionalPointer(hasBias ? b : nil, &b) { bp in
            try dnnlCheck(dnnl_inner_product_forward_desc_init(&desc, prop, &src, &wts, bp, &dst), "inner product desc")
        }
        return desc
    }

    /// src W^T + b, (rows, out) plain; `src` must be plain (rows, in).
    func run(_ src: Storage, weight: Tensor, bias: Tensor?, training: Bool) -> Storage {
        forward(training: training).run(src: src, weight: weight, bias: bias)
    }

    /// The gradients of the source (when `needsInput`), the weight in its plain (out, in) layout
    /// and the bias (when `src` is given), from `dy`, plain (rows, out).
    func gradients(_ dy: Storage, weight: Tensor, needsInput: Bool, src: Storage?) -> (input: Storage?, weight: Storage?, bias: Storage?) {
        let hint = forward(training: true).pd
        var result: (input: Storage?, weight: Storage?, bias: Storage?) = (nil, nil, nil)
        if needsInput {
            let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("ip.bwd_data", ints: ints)) {
                var desc = dnnl_inner_product_desc_t()
                var ds = Layout.plain(srcDims).desc, wts = Layout.any(weightDims).desc, dd = Layout.plain(dstDims).desc
                try dnnlCheck(dnnl_inner_product_backward_data_desc_init(&desc, &ds, &wts, &dd), "inner product backward-data desc")
                return try makePD(desc, hint: hint, "inner product backward-data \(srcDims)")
            }
            let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
            bwd.execute([DNNL_ARG_DIFF_DST: dy, DNNL_ARG_WEIGHTS: weight.cachedStorage(in: bwd.layout(of: DNNL_ARG_WEIGHTS)),
                         DNNL_ARG_DIFF_SRC: diffSrc])
            result.input = diffSrc
        }
        if let src {
            let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("ip.bwd_weights", ints: ints)) {
                var desc = dnnl_inner_product_desc_t()
                var s = Layout.plain(srcDims).desc, dw = Layout.any(weightDims).desc, dd = Layout.plain(dstDims).desc
                var db = Layout.plain([outFeatures]).desc
                try withOptionalPointer(hasBias ? db : nil, &db) { bp in
                    try dnnlCheck(dnnl_inner_product_backward_weights_desc_init(&desc, &s, &dw, bp, &dd),
                                  "inner product backward-weights desc")
                }
                return try makePD(desc, hint: hint, "inner product backward-weights \(srcDims)")
            }
            let dw = bwd.output(DNNL_ARG_DIFF_WEIGHTS)
            var args: [Int32: Storage] = [DNNL_ARG_SRC: src, DNNL_ARG_DIFF_DST: dy, DNNL_ARG_DIFF_WEIGHTS: dw]
            if hasBias {
                result.bias = bwd.output(DNNL_ARG_DIFF_BIAS)
                args[DNNL_ARG_DIFF_BIAS] = result.bias
            }
            bwd.execute(args)
            result.weight = dw.reordered(to: .plain(weightDims))
        }
        return result
    }
}
