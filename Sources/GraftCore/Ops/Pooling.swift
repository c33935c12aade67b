import CDNNL

/// Max pooling over (N, C, H, W).
public func maxPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid) -> Tensor {
    pool(x, alg: dnnl_pooling_max, kernel: kernel, stride: stride ?? kernel, padding: padding)
}

/// Average pooling over (N, C, H, W). `countPadding` divides by the whole window, zeros of the
/// padding included (PyTorch's default); otherwise only by the pixels inside the image (Keras).
public func avgPool2d(_ x: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil, padding: Padding = .valid,
                      countPadding: Bool = true) -> Tensor {
    pool(x, alg: countPadding ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding,
         kernel: kernel, stride: stride ?? kernel, padding: padding)
}

/// The mean over height and width: (N, C, H, W) -> (N, C).
public func globalAvgPool2d(_ x: Tensor) -> Tensor {
    precondition(x.shape.count == 4, "globalAvgPool2d input must be (N, C, H, W), not \(x.shape)")
    // Traced as one op, not as the pooling and the reshape it is made of.
    let result = untraced { reshape(avgPool2d(x, kernel: (x.shape[2], x.shape[3])), [x.shape[0], x.shape[1]]) }
    return traced(result, inputs: [x]) { _ in .globalAveragePool }
}

/// The maximum over height and width: (N, C, H, W) -> (N, C) (Keras' GlobalMaxPooling2D). Traced
/// as the max pooling over the whole map and the reshape it is made of.
public func globalMaxPool2d(_ x: Tensor) -> Tensor {
    precondition(x.shape.count == 4, "globalMaxPool2d input must be (N, C, H, W), not \(x.shape)")
    return reshape(maxPool2d(x, kernel: (x.shape[2], x.shape[3])), [x.shape[0], x.shape[1]])
}

private func pool(_ x: Tensor, alg: dnnl_alg_kind_t, kernel: (Int, Int), stride: (Int, Int), padding: Padding) -> Tensor {
    precondition(x.shape.count == 4, "pooling input must be (N, C, H, W), not \(x.shape)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let pad = padding.amounts(height: h, width: w, kernel: kernel, stride: stride, dilation: (1, 1))
    let oh = slidingOutputSize(h, kernel: kernel.0, stride: stride.0, dilation: 1, padBefore: pad.top, padAfter: pad.bottom)
    let ow = slidingOutputSize(w, kernel: kernel.1, stride: stride.1, dilation: 1, padBefore: pad.left, padAfter: pad.right)
    precondition(oh > 0 && ow > 0, "pooling window \(kernel) does not fit input \(h)x\(w)")
    let strides: [dnnl_dim_t] = [dnnl_dim_t(stride.0), dnnl_dim_t(stride.1)]
    let kernels: [dnnl_dim_t] = [dnnl_dim_t(kernel.0), dnnl_dim_t(kernel.1)]
    let dilation: [dnnl_dim_t] = [0, 0]
    let padL: [dnnl_dim_t] = [dnnl_dim_t(pad.top), dnnl_dim_t(pad.left)]
    let padR: [dnnl_dim_t] = [dnnl_dim_t(pad.bottom), dnnl_dim_t(pad.right)]
    let dstDims = [n, c, oh, ow]
    let layout = x.storage.layout
    let ints = [Int(alg.rawValue), kernel.0, kernel.1, stride.0, stride.1, pad.top, pad.bottom, pad.left, pad.right]
    // Without a backward pass, max pooling need not write where each maximum came from.
    let prop = GradMode.isEnabled && x.requiresGrad ? dnnl_forward_training : dnnl_forward_inference
    let fwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("pool.fwd", ints: ints + [Int(prop.rawValue)], layouts: [layout])) {
        var desc = dnnl_pooling_v2_desc_t()
        var src = layout.desc, dst = Layout.any(dstDims).desc
        try dnnlCheck(dnnl_pooling_v2_forward_desc_init(&desc, prop, alg, &src, &dst,
                                                        strides, kernels, dilation, padL, padR), "pooling desc")
        return try makePD(desc, "pooling \(x.shape) -> \(dstDims)")
    }
    let dst = fwd.output(DNNL_ARG_DST)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: x.storage, DNNL_ARG_DST: dst]
    let workspace = fwd.takes(DNNL_ARG_WORKSPACE) ? fwd.output(DNNL_ARG_WORKSPACE) : nil
    if let workspace { args[DNNL_ARG_WORKSPACE] = workspace }
    fwd.execute(args)
    let shape = x.shape
    let result = record(alg == dnnl_pooling_max ? "maxPool2d" : "avgPool2d", output: dst, inputs: [x]) { dy in
        let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("pool.bwd", ints: ints, layouts: [layout])) {
            var desc = dnnl_pooling_v2_desc_t()
            var diffSrc = layout.desc, diffDst = fwd.layout(of: DNNL_ARG_DST).desc
            try dnnlCheck(dnnl_pooling_v2_backward_desc_init(&desc, alg, &diffSrc, &diffDst,
                                                             strides, kernels, dilation, padL, padR), "pooling backward desc")
            return try makePD(desc, hint: fwd.pd, "pooling backward \(shape)")
        }
        let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
        var bargs: [Int32: Storage] = [DNNL_ARG_DIFF_DST: dy.reordered(to: bwd.layout(of: DNNL_ARG_DIFF_DST)),
                                       DNNL_ARG_DIFF_SRC: diffSrc]
        if let workspace { bargs[DNNL_ARG_WORKSPACE] = workspace }
        bwd.execute(bargs)
        return [diffSrc]
    }
    return traced(result, inputs: [x]) { _ in
        .pooling(TraceOp.Pooling(kind: alg == dnnl_pooling_max ? .max : .average(countsPadding: alg == dnnl_pooling_avg_include_padding),
                                 kernel: SpatialSize(kernel.0, kernel.1), stride: SpatialSize(stride.0, stride.1),
                                 padding: PaddingAmounts(pad)))
    }
}
