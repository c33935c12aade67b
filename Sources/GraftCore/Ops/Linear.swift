import CDNNL

/// Fully connected layer: `x` (N, in) times `weight` (out, in) transposed, plus `bias` (out).
/// The weight layout is PyTorch's `nn.Linear` (out, in).
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(x.shape.count == 2, "linear input must be (N, features), not \(x.shape); flatten it first")
    precondition(weight.shape.count == 2 && weight.shape[1] == x.shape[1],
                 "linear: weight \(weight.shape) does not take \(x.shape[1]) input features")
    let ip = InnerProduct(rows: x.shape[0], inFeatures: x.shape[1], outFeatures: weight.shape[0], hasBias: bias != nil)
    if let bias { precondition(bias.shape == [ip.outFeatures], "linear: bias \(bias.shape) should be [\(ip.outFeatures)]") }
    let src = x.storage.reordered(to: .plain(ip.srcDims))
    let dst = ip.run(src, weight: weight, bias: bias, training: true)

    var inputs = [x, weight]
    if let bias { inputs.append(bias) }
    let needsInputGrad = x.requiresGrad, needsWeightGrad = weight.requiresGrad || bias?.requiresGrad == true
    let inputCount = inputs.count
    let result = record("linear", output: dst, inputs: inputs) { dy in
        let grads = ip.gradients(dy.reordered(to: .plain(ip.dstDims)), weight: weight, needsInput: needsInputGrad,
                                 src: needsWeightGrad ? src : nil)
        return Array([grads.input, weight.requiresGrad ? grads.weight : nil, grads.bias].prefix(inputCount))
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
