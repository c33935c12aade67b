import CDNNL

/// `x` (N, C, H, W) with channel c multiplied by `scale[c]`, `scale` of shape (C, 1, 1): ConvNeXt's
/// layer scale (torchvision's `layer_scale` parameter has that shape).
///
/// oneDNN's broadcasting multiplication does the forward and the input's gradient; the scale's
/// gradient is sum(dy * x) over the batch and the pixels (`reduceSum`), in whatever layout `x`
/// came in. Traced as a multiplication by the (C, 1, 1) constant, which ONNX broadcasts from the
/// right, as PyTorch does.
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
    let savedX = needsScale ? a : nil, xLayout = a.layout, scaleLayout = Layout.plain(scale.shape)
    let result = record("scaleChannels", output: dst, shape: x.shape, inputs: [x, scale]) { dy in
        let upstream = dy.reordered(to: xLayout)
        let dx = needsX ? runBinary(dnnl_binary_mul, upstream, b) : nil
        var dScale: Storage?
        if needsScale, let savedX {
            let product = runBinary(dnnl_binary_mul, upstream, savedX)
            dScale = Storage(aliasing: reduceSum(product, to: .plain(broadcastDims)), as: scaleLayout)
        }
        return [dx, dScale]
    }
    return traced(result, inputs: [x, scale]) { _ in .multiply }
}
