/// Stochastic depth by sample (torchvision's `StochasticDepth(p, "row")`): in training, each
/// sample of the batch is zeroed with probability `p` and the others are scaled by 1 / (1 - p);
/// otherwise `x` is returned unchanged. A residual block applies it to its branch before the
/// addition, so a dropped sample passes through the block as the identity.
///
/// The keep draws come from `generator`, one per sample in batch order, so a seeded training run
/// drops the same samples every time.
public func stochasticDepth(_ x: Tensor, p: Float, training: Bool, generator: inout some MaskRandomness) -> Tensor {
    precondition(p >= 0 && p < 1, "stochastic depth probability must be in [0, 1), not \(p)")
    guard training, p > 0 else { return x }
    let batch = x.shape[0]
    let keep = 1 - p
    let scales: [Float] = generator.unitFloats(samples: batch, perSample: 1).map { $0 < keep ? 1 / keep : 0 }
    // Plain, channels-last and channel-blocked layouts hold each sample as one contiguous run of
    // the buffer (the batch is their outermost dimension); any other layout is made plain first.
    let layout = x.storage.layout
    let perSampleLayout = layout.isPlain || layout.isChannelsLast || layout.channelBlock != nil ? layout : .plain(x.shape)
    let out = Storage(layout: perSampleLayout)
    scaleSamples(x.storage.reordered(to: perSampleLayout), by: scales, into: out)
    let result = record("stochasticDepth", output: out, shape: x.shape, inputs: [x]) { dy in
        let gradient = Storage(layout: perSampleLayout)
        scaleSamples(dy.reordered(to: perSampleLayout), by: scales, into: gradient)
        return [gradient]
    }
    return traced(result, inputs: [x]) { _ in .stochasticDepth(probability: p) }
}

/// out = src with sample n's run of the buffer multiplied by `scales[n]`.
private func scaleSamples(_ src: Storage, by scales: [Float], into out: Storage) {
    let run = out.floatCount / scales.count
    let from = src.floats, to = out.floats
    for (n, scale) in scales.enumerated() {
        for i in n * run ..< (n + 1) * run { to[i] = from[i] * scale }
    }
}
