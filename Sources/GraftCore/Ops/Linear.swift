import CDNNL

/// Fully connected layer: `x` (N, in) times `weight` (out, in) transposed, plus `bias` (out).
/// The weight layout is PyTorch's `nn.Linear` (out, in).
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(x.shape.count == 2, "linear input must be (N, features), not \(x.shape); flatten it first")
    precondition(weight.shape.count == 2 && weight.shape[1] == x.shape[1],
                 "linear: weight \(weight.shape) does not take \(x.shape[1]) input features")
    let (n, inF, outF) = (x.shape[0], x.shape[1], weight.shape[0])
    if let bias { precondition(bias.shape == [outF], "linear: bias \(bias.shape) should be [\(outF)]") }
    let hasBias = bias != nil
    let ints = [n, inF, outF, hasBias ? 1 : 0]
    let srcDims = [n, inF], wDims = [outF, inF], dstDims = [n, outF]

    let fwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("ip.fwd", ints: ints)) {
        var desc = dnnl_inner_product_desc_t()
        var src = Layout.plain(srcDims).desc, wts = Layout.any(wDims).desc, dst = Layout.plain(dstDims).desc
        var b = Layout.plain([outF]).desc
        try withOptionalPointer(hasBias ? b : nil, &b) { bp in
            try dnnlCheck(dnnl_inner_product_forward_desc_init(&desc, dnnl_forward_training, &src, &wts, bp, &dst),
                          "inner product desc")
        }
        return try makePD(desc, "linear \(srcDims) x \(wDims)")
    }
    let src = x.storage.reordered(to: .plain(srcDims))
    let dst = fwd.output(DNNL_ARG_DST)
    var args: [Int32: Storage] = [DNNL_ARG_SRC: src, DNNL_ARG_WEIGHTS: weight.cachedStorage(in: fwd.layout(of: DNNL_ARG_WEIGHTS)),
                                  DNNL_ARG_DST: dst]
    if let bias { args[DNNL_ARG_BIAS] = bias.storage }
    fwd.execute(args)

    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    let needsInputGrad = x.requiresGrad, inputCount = inputs.count
    let result = record("linear", output: dst, inputs: inputs) { dy in
        let dyPlain = dy.reordered(to: .plain(dstDims))
        var grads: [Storage?] = [nil, nil, nil]
        if needsInputGrad {
            let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("ip.bwd_data", ints: ints)) {
                var desc = dnnl_inner_product_desc_t()
                var ds = Layout.plain(srcDims).desc, wts = Layout.any(wDims).desc, dd = Layout.plain(dstDims).desc
                try dnnlCheck(dnnl_inner_product_backward_data_desc_init(&desc, &ds, &wts, &dd), "inner product backward-data desc")
                return try makePD(desc, hint: fwd.pd, "linear backward-data")
            }
            let diffSrc = bwd.output(DNNL_ARG_DIFF_SRC)
            bwd.execute([DNNL_ARG_DIFF_DST: dyPlain, DNNL_ARG_WEIGHTS: weight.cachedStorage(in: bwd.layout(of: DNNL_ARG_WEIGHTS)),
                         DNNL_ARG_DIFF_SRC: diffSrc])
            grads[0] = diffSrc
        }
        if weight.requiresGrad || bias?.requiresGrad == true {
            let bwd = try! PrimitiveCache.shared.primitive(PrimitiveKey("ip.bwd_weights", ints: ints)) {
                var desc = dnnl_inner_product_desc_t()
                var s = Layout.plain(srcDims).desc, dw = Layout.any(wDims).desc, dd = Layout.plain(dstDims).desc
                var db = Layout.plain([outF]).desc
                try withOptionalPointer(hasBias ? db : nil, &db) { bp in
                    try dnnlCheck(dnnl_inner_product_backward_weights_desc_init(&desc, &s, &dw, bp, &dd),
                                  "inner product backward-weights desc")
                }
                return try makePD(desc, hint: fwd.pd, "linear backward-weights")
            }
            let dw = bwd.output(DNNL_ARG_DIFF_WEIGHTS)
            var bargs: [Int32: Storage] = [DNNL_ARG_SRC: src, DNNL_ARG_DIFF_DST: dyPlain, DNNL_ARG_DIFF_WEIGHTS: dw]
            if hasBias {
                grads[2] = bwd.output(DNNL_ARG_DIFF_BIAS)
                bargs[DNNL_ARG_DIFF_BIAS] = grads[2]
            }
            bwd.execute(bargs)
            grads[1] = weight.requiresGrad ? dw.reordered(to: .plain(wDims)) : nil
        }
        return Array(grads.prefix(inputCount))
    }
    return traced(result, inputs: [x, weight, bias]) { ids in .linear(weight: ids[weight], bias: bias.map { ids[$0] }) }
}

/// Matrix product of `a` (M, K) and `b` (K, N).
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    precondition(a.shape.count == 2 && b.shape.count == 2 && a.shape[1] == b.shape[0],
                 "matmul: shapes \(a.shape) and \(b.shape) do not multiply")
    let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
    let aS = a.storage.reordered(to: .plain([m, k])), bS = b.storage.reordered(to: .plain([k, n]))
    let out = plainMatmul(aS, transposeA: false, bS, transposeB: false, m: m, k: k, n: n)
    let needsA = a.requiresGrad, needsB = b.requiresGrad
    let result = record("matmul", output: out, inputs: [a, b]) { dy in
        let d = dy.reordered(to: .plain([m, n]))
        // dA = dY B^T, dB = A^T dY.
        let da = needsA ? plainMatmul(d, transposeA: false, bS, transposeB: true, m: m, k: n, n: k) : nil
        let db = needsB ? plainMatmul(aS, transposeA: true, d, transposeB: false, m: k, k: m, n: n) : nil
        return [da, db]
    }
    return traced(result, inputs: [a, b]) { _ in .matmul }
}

/// C (m, n) = op(A) op(B) with oneDNN's matmul; a transposed operand is described by strides.
private func plainMatmul(_ a: Storage, transposeA: Bool, _ b: Storage, transposeB: Bool, m: Int, k: Int, n: Int) -> Storage {
    let aLayout = transposeA ? Layout(tagged: [m, k], tag: dnnl_ba) : Layout.plain([m, k])
    let bLayout = transposeB ? Layout(tagged: [k, n], tag: dnnl_ba) : Layout.plain([k, n])
    let key = PrimitiveKey("matmul", ints: [m, k, n], layouts: [aLayout, bLayout])
    let prim = try! PrimitiveCache.shared.primitive(key) {
        var desc = dnnl_matmul_desc_t()
        var s = aLayout.desc, w = bLayout.desc, d = Layout.plain([m, n]).desc
        try dnnlCheck(dnnl_matmul_desc_init(&desc, &s, &w, nil, &d), "matmul desc")
        return try makePD(desc, "matmul \(m)x\(k) by \(k)x\(n)")
    }
    let out = Storage(layout: .plain([m, n]))
    prim.execute([DNNL_ARG_SRC: Storage(aliasing: a, as: aLayout), DNNL_ARG_WEIGHTS: Storage(aliasing: b, as: bLayout),
                  DNNL_ARG_DST: out])
    return out
}
