import GraftCore

/// Rescales the gradients of `parameters` so that their global L2 norm is at most `maxNorm`
/// (PyTorch's `clip_grad_norm_`). Returns the norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let gradients = parameters.compactMap(\.grad)
    var squares = 0.0
    for g in gradients { g.withUnsafeBuffer { for v in $0 { squares += Double(v) * Double(v) } } }
    let norm = Float(squares.squareRoot())
    guard norm > maxNorm, norm.isFinite else { return norm }
    let factor = maxNorm / (norm + 1e-6)
    // assign keeps each gradient's layout, which the optimizer expects.
    for g in gradients { g.assign(g.values.map { $0 * factor }) }
    return norm
}
