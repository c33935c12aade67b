import CDNNL

/// Batch normalization over the channels of (N, C, H, W) or (N, C).
///
/// - `training == true`: normalizes with the batch's statistics and moves `runningMean` and
///   `runningVar` towards them with `momentum` (PyTorch's convention: new = (1 - m) * old + m *
///   batch, with the unbiased batch variance).
/// - `training == false`: normalizes with the running statistics and leaves them untouched; the
///   scale and shift can still receive gradients (fine-tuning with BatchNorm in inference mode).
///
/// `scale` and `shift` are both present (affine) or both nil.
public func batchNorm(_ x: Tensor, scale: Tensor?, shift: Tensor?, runningMean: Tensor, runningVar: Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5) -> Tensor {
    checkBatchNormArguments(x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar)
    let c = x.shape[1]
    let affine = scale != nil
    var flags: UInt32 = affine ? dnnl_use_scale.rawValue | dnnl_use_shift.rawValue : 0
    if !training { flags |= dnnl_use_global_stats.rawValue }
    let needsBackward = GradMode.isEnabled && (x.requiresGrad || scale?.requiresGrad == true || shift?.requiresGrad == true)
    let prop = needsBackward || training ? dnnl_forward_training : dnnl_forward_inference
    let layout = x.storage.layout
    let key = PrimitiveKey("bn.fwd", ints: [Int(prop.rawValue), Int(flags), Int(epsilon.bitPattern)], layouts: [layout])
    let fwd = try! PrimitiveCache.shared.primitive(key) {
        var desc = dnnl_batch_normalization_desc_t()
        var data = layout.desc
        try dnnlCheck(dnnl_batch_normalization_forward_desc_init(&desc, prop, &data, epsilon, flags), "batch-norm forward desc")
        return try makePD(desc, "batch-norm forward \(x.shape)")
    }
    let dst = fwd.output(DNNL_ARG_DST)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: x.storage, DNNL_ARG_DST: dst]
    if let scale, let shift {
        args[DNNL_ARG_SCALE] = scale.storage
        args[DNNL_ARG_SHIFT] = shift.storage
    }
    let mean: Storage, variance: Storage
    if training {
        mean = fwd.output(DNNL_ARG_MEAN)
        variance = fwd.output(DNNL_ARG_VARIANCE)
    } else {
        mean = runningMean.storage
        variance = runningVar.storage
    }
    args[DNNL_ARG_MEAN] = mean
    args[DNNL_ARG_VARIANCE] = variance
    fwd.execute(args)
    if training { updateRunningStats(runningMean, runningVar, mean, variance, momentum: momentum, count: x.count / c) }

    var inputs = [x]
    if let scale, let shift { inputs += [scale, shift] }
    // The running statistics may move on before backward runs (another forward in training mode).
    let savedMean = training ? mean : mean.copy(), savedVar = training ? variance : variance.copy()
    let src = x.storage, shape = x.shape
    let result = record("batchNorm", output: dst, inputs: inputs) { dy in
        let wantsParams = scale?.requiresGrad == true || shift?.requiresGrad == true
        let bprop = wantsParams ? dnnl_backward : dnnl_backward_data
        let bkey = PrimitiveKey("bn.bwd", ints: [Int(bprop.rawValue), Int(flags), Int(epsilon.bitPattern)], layouts: [layout])
        let bwd = try! PrimitiveCache.shared.primitive(bkey) {
            var desc = dnnl_batch_normalization_desc_t()
            var data = layout.desc, diff = layout.desc
            try dnnlCheck(dnnl_batch_normalization_backward_desc_init(&desc, bprop, &diff, &data, epsilon, flags),
                          "batch-norm backward desc")
            return try makePD(desc, hint: fwd.pd, "batch-norm backward \(shape)")
        }
        let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
        var bargs: [Int32: Storage] = [DNNL_ARG_SRC: src, DNNL_ARG_MEAN: savedMean, DNNL_ARG_VARIANCE: savedVar,
                                       DNNL_ARG_DIFF_DST: dy.reordered(to: layout), DNNL_ARG_DIFF_SRC: diffSrc]
        var dScale: Storage?, dShift: Storage?
        if let scale, let shift {
            bargs[DNNL_ARG_SCALE] = scale.storage
            bargs[DNNL_ARG_SHIFT] = shift.storage
            if wantsParams {
                dScale = bwd.output(DNNL_ARG_DIFF_SCALE)
                dShift = bwd.output(DNNL_ARG_DIFF_SHIFT)
                bargs[DNNL_ARG_DIFF_SCALE] = dScale
                bargs[DNNL_ARG_DIFF_SHIFT] = dShift
            }
        }
        bwd.execute(bargs)
        AutodiffStats.shared.noteKernel("batchNorm.backward")
        return affine ? [diffSrc, dScale, dShift] : [diffSrc]
    }
    return traced(result, inputs: [x, scale, shift, runningMean, runningVar]) { ids in
        .batchNorm(.traced(ids, epsilon: epsilon, training: training, scale: scale, shift: shift,
                           runningMean: runningMean, runningVar: runningVar), postOps: [])
    }
}

extension TraceOp.BatchNormalization {
    static func traced(_ ids: TraceIDs, epsilon: Float, training: Bool, scale: Tensor?, shift: Tensor?,
                       runningMean: Tensor, runningVar: Tensor) -> TraceOp.BatchNormalization {
        TraceOp.BatchNormalization(epsilon: epsilon, usesBatchStatistics: training, scale: scale.map { ids[$0] },
                                   shift: shift.map { ids[$0] }, mean: ids[runningMean], variance: ids[runningVar])
    }
}

/// The shapes every batch-norm op requires: x (N, C, H, W) or (N, C), and per-channel vectors of C.
func checkBatchNormArguments(_ x: Tensor, scale: Tensor?, shift: Tensor?, runningMean: Tensor, runningVar: Tensor) {
    precondition(x.shape.count == 4 || x.shape.count == 2, "batchNorm input must be (N, C, H, W) or (N, C), not \(x.shape)")
    let c = x.shape[1]
    precondition((scale == nil) == (shift == nil), "batchNorm: give both scale and shift, or neither")
    for (name, t) in [("scale", scale), ("shift", shift), ("runningMean", runningMean), ("runningVar", runningVar)] {
        if let t { precondition(t.shape == [c], "batchNorm: \(name) has shape \(t.shape), expected [\(c)]") }
    }
}

func updateRunningStats(_ runningMean: Tensor, _ runningVar: Tensor, _ mean: Storage, _ variance: Storage,
                        momentum: Float, count: Int) {
    // oneDNN returns the biased batch variance; the running estimate uses the unbiased one.
    let unbias = count > 1 ? Float(count) / Float(count - 1) : 1
    runningMean.withUnsafeMutableBuffer { rm in
        for i in rm.indices { rm[i] = (1 - momentum) * rm[i] + momentum * mean.floats[i] }
    }
    runningVar.withUnsafeMutableBuffer { rv in
        for i in rv.indices { rv[i] = (1 - momentum) * rv[i] + momentum * variance.floats[i] * unbias }
    }
}
