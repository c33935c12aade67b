import CDNNL

/// relu6(x + 3) / 6 as one op: oneDNN 2.6 has no hard-sigmoid, so the forward runs its two
/// element-wise steps (x / 6 + 1/2, then a clip to [0, 1], the second in place) and records one
/// backward, dy / 6 where the output lies strictly between 0 and 1 (PyTorch's rule: the gradient
/// is zero at x = -3 and x = 3). The backward keeps only the output.
func hardSigmoidActivation(_ x: Tensor, reusingInput: Bool) -> Tensor {
    let layout = x.storage.layout
    let steps = Activation.hardSigmoid.steps
    var dst: Storage?
    for (index, (alg, alpha, beta)) in steps.enumerated() {
        let ints = [Int(alg.rawValue), Int(alpha.bitPattern), Int(beta.bitPattern)]
        let fwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("eltwise.fwd", ints: ints, layouts: [layout])) {
            var desc = dnnl_eltwise_desc_t()
            var data = layout.desc
            try dnnlCheck(dnnl_eltwise_forward_desc_init(&desc, dnnl_forward_training, alg, &data, alpha, beta), "eltwise desc")
            return try makePD(desc, "hard-sigmoid step \(index) \(x.shape)")
        }
        // The first step may overwrite the input (the caller allows it); the second always
        // overwrites the first's result, which nothing else has seen.
        let source = dst ?? x.storage
        let target = dst ?? (reusingInput ? x.storage : fwd.output(DNNL_ARG_DST))
        fwd.execute([DNNL_ARG_SRC: source, DNNL_ARG_DST: target])
        dst = target
    }
    let output = dst!
    let result = record(Activation.hardSigmoid.rawValue, output: output, shape: x.shape, inputs: [x]) { dy in
        let upstream = dy.reordered(to: layout)
        let gradient = Storage(layout: layout)
        let y = output.floats, g = upstream.floats, out = gradient.floats
        // Padding past the last channel of a blocked layout holds y = 0, so its gradient stays 0.
        for i in 0..<gradient.floatCount { out[i] = y[i] > 0 && y[i] < 1 ? g[i] / 6 : 0 }
        return [gradient]
    }
    return traced(result, inputs: [x]) { _ in .activation(.hardSigmoid) }
}
