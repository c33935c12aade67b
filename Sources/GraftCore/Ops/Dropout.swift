/// Inverted dropout: in training, zeroes each element with probability `p` and scales the rest by
/// 1 / (1 - p); otherwise returns `x` unchanged. The mask comes from `generator`, sample by
/// sample (the batch is the outermost dimension of every layout).
public func dropout(_ x: Tensor, p: Float, training: Bool, generator: inout some MaskRandomness) -> Tensor {
    precondition(p >= 0 && p < 1, "dropout probability must be in [0, 1), not \(p)")
    guard training, p > 0 else { return x }
    let src = x.storage
    let mask = Storage(layout: src.layout)
    let keep = 1 - p, scale = 1 / (1 - p)
    // The mask covers the physical buffer; zero padding times anything stays zero.
    let batch = max(1, x.shape.first ?? 1), samples = mask.floatCount % batch == 0 ? batch : 1
    let draws = generator.unitFloats(samples: samples, perSample: mask.floatCount / samples)
    for i in 0..<mask.floatCount { mask.floats[i] = draws[i] < keep ? scale : 0 }
    let out = Storage(layout: src.layout)
    multiplyElementwise(src, mask, into: out)
    let result = record("dropout", output: out, shape: x.shape, inputs: [x]) { dy in
        let g = Storage(layout: mask.layout)
        multiplyElementwise(dy.reordered(to: mask.layout), mask, into: g)
        return [g]
    }
    return traced(result, inputs: [x]) { _ in .dropout(probability: p) }
}

func multiplyElementwise(_ a: Storage, _ b: Storage, into out: Storage) {
    let pa = a.floats, pb = b.floats, po = out.floats
    for i in 0..<out.floatCount { po[i] = pa[i] * pb[i] }
}
