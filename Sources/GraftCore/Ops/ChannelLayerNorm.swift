import CDNNL

/// Layer normalization over the channels of each pixel of an (N, C, H, W) tensor: every pixel's
/// C values less their mean, over their standard deviation (biased variance plus `epsilon`), then
/// scaled by `weight` and shifted by `bias` (both (C)). This is ConvNeXt's LayerNorm2d, and the
/// channels-last nn.LayerNorm inside its blocks computes the same on the permuted tensor.
///
/// A channels-last buffer is a (N * H * W, C) matrix whose rows are the pixels, and oneDNN's layer
/// normalization normalizes rows: the input is made channels-last (no copy when it already is) and
/// the output stays channels-last, the layout `pixelLinear` after it in ConvNeXt's blocks takes.
/// The backward keeps that input and each pixel's mean and variance, not the output.
public func channelLayerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
    precondition(x.shape.count == 4, "channelLayerNorm wants (N, C, H, W), not \(x.shape)")
    let channels = x.shape[1]
    precondition(weight.shape == [channels] && bias.shape == [channels],
                 "channelLayerNorm: weight \(weight.shape) and bias \(bias.shape) should be [\(channels)]")
    let layout = Layout.channelsLast(x.shape)
    let problem = RowNormalization(rows: x.shape[0] * x.shape[2] * x.shape[3], channels: channels, epsilon: epsilon)
    let src = Storage(aliasing: x.storage.reordered(to: layout), as: problem.rows)
    let scale = weight.storage.reordered(to: .plain([channels])), shift = bias.storage.reordered(to: .plain([channels]))
    let training = GradMode.isEnabled && [x, weight, bias].contains(where: \.requiresGrad)
    let fwd = problem.forward(training: training)
    let dst = fwd.output(DNNL_ARG_DST)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: src, DNNL_ARG_SCALE: scale, DNNL_ARG_SHIFT: shift, DNNL_ARG_DST: dst]
    let statistics = training ? (mean: fwd.output(DNNL_ARG_MEAN), variance: fwd.output(DNNL_ARG_VARIANCE)) : nil
    if let statistics {
        args[DNNL_ARG_MEAN] = statistics.mean
        args[DNNL_ARG_VARIANCE] = statistics.variance
    }
    fwd.execute(args)

    let needs = (x: x.requiresGrad, weight: weight.requiresGrad, bias: bias.requiresGrad)
    let result = record("channelLayerNorm", output: Storage(aliasing: dst, as: layout), shape: x.shape,
                        inputs: [x, weight, bias]) { dy in
        let bwd = problem.backward()
        let (dx, dScale, dShift) = (bwd.output(DNNL_ARG_DIFF_SRC), bwd.output(DNNL_ARG_DIFF_SCALE), bwd.output(DNNL_ARG_DIFF_SHIFT))
        bwd.execute([DNNL_ARG_SRC: src, DNNL_ARG_DIFF_DST: Storage(aliasing: dy.reordered(to: layout), as: problem.rows),
                     DNNL_ARG_SCALE: scale, DNNL_ARG_SHIFT: shift,
                     DNNL_ARG_MEAN: statistics!.mean, DNNL_ARG_VARIANCE: statistics!.variance,
                     DNNL_ARG_DIFF_SRC: dx, DNNL_ARG_DIFF_SCALE: dScale, DNNL_ARG_DIFF_SHIFT: dShift])
        return [needs.x ? Storage(aliasing: dx, as: layout) : nil, needs.weight ? dScale : nil, needs.bias ? dShift : nil]
    }
    return traced(result, inputs: [x, weight, bias]) { _ in .channelLayerNorm(epsilon: epsilon) }
}

/// oneDNN's layer normalization of each row of a plain (rows, channels) matrix, with a scale and
/// a shift per channel.
private struct RowNormalization {
    let rows: Layout
    let epsilon: Float
    private let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue

    init(rows: Int, channels: Int, epsilon: Float) {
        self.rows = .plain([rows, channels])
        self.epsilon = epsilon
    }

    private var ints: [Int] { [Int(flags), Int(epsilon.bitPattern)] }

    func forward(training: Bool) -> Primitive {
        let prop = training ? dnnl_forward_training : dnnl_forward_inference
        return try! PrimitiveCache.shared.primitive(PrimitiveKey("lnorm.fwd", ints: ints + [Int(prop.rawValue)], layouts: [rows])) {
            var desc = dnnl_layer_normalization_desc_t()
            var data = rows.desc
            try dnnlCheck(dnnl_layer_normalization_forward_desc_init(&desc, prop, &data, nil, epsilon, flags),
                          "layer-norm forward desc")
            return try makePD(desc, "layer norm \(rows.dims)")
        }
    }

    func backward() -> Primitive {
        try! PrimitiveCache.shared.primitive(PrimitiveKey("lnorm.bwd", ints: ints, layouts: [rows])) {
            var desc = dnnl_layer_normalization_desc_t()
            var diff = rows.desc, data = rows.desc
            try dnnlCheck(dnnl_layer_normalization_backward_desc_init(&desc, dnnl_backward, &diff, &data, nil, epsilon, flags),
                          "layer-norm backward desc")
            return try makePD(desc, hint: forward(training: true).pd, "layer norm backward \(rows.dims)")
        }
    }
}
