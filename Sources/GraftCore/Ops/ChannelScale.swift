import CDNNL

/// `x` (N, C, H, W) with channel c multiplied by `scale[c]`, `scale` of shape (C, 1, 1): ConvNeXt's
/// layer scale (torchvision's `layer_scale` parameter has that shape).
///
/// oneDNN's broadcasting multiplication does the forward and the input's gradient; the scale's
/// gradient, sum(dy * x) over the batch and the pixels, is summed here on plain data (oneDNN 2.6's
/// generic reduction to (1, C, 1, 1) has no fast blocked kernel). Traced as a multiplication by
/// the (C, 1, 1) constant, which ONNX broadcasts from the right, as PyTorch does.
public func scaleChannels(_ x: Tensor, by scale: Tensor) -> Tensor {
    precondition(x.shape.count == 4, "scaleChannels wants (N, C, H, W), not \(x.shape)")
    let channels = x.shape[1]
    precondition(scale.shape == [channels, 1, 1], "scaleChannels: scale \(scale.shape) should be [\(channels), 1, 1]")
    let a = x.storage
    let broadcastDims = [1, channels, 1, 1]
    let b = Storage(aliasing: scale.storage.reordered(to: .plain(scale.shape)), as: .plain(broadcastDims))
        .reordered(to: layoutLike(a.layout, dims: broadcastDims))
    let dst = runBinary(dnnl_binary_mul, a, b)
    let needsX = x.requiresGrad, needsScale = scale.requiresGrad
    let savedX = needsScale ? a : nil, shape = x.shape, scaleLayout = Layout.plain(scale.shape)
    let result = record("scaleChannels", output: dst, shape: x.shape, inputs: [x, scale]) { dy in
        let upstream = dy.reordered(to: a.layout)
        let dx = needsX ? runBinary(dnnl_binary_mul, upstream, b) : nil
        var dScale: Storage?
        if needsScale, let savedX {
            let product = runBinary(dnnl_binary_mul, upstream, savedX).reordered(to: .plain(shape))
            dScale = sumPerChannel(product, channels: channels, into: scaleLayout)
        }
        return [dx, dScale]
    }
    return traced(result, inputs: [x, scale]) { _ in .multiply }
}

/// The sum of each channel of a plain (N, C, H, W) buffer, over the batch and the pixels.
private func sumPerChannel(_ src: Storage, channels: Int, into layout: Layout) -> Storage {
    let out = Storage(layout: layout, zeroed: true)
    let pixels = src.layout.dims[2] * src.layout.dims[3], batch = src.layout.dims[0]
    let from = src.floats, to = out.floats
    for n in 0..<batch {
        for c in 0..<channels {
            let run = from + (n * channels + c) * pixels
            var sum: Float = 0
            for i in 0..<pixels { sum += run[i] }
            to[c] += sum
        }
    }
    return out
}
