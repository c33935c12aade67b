import Foundation

/// Layer normalization over the channels of each pixel of an (N, C, H, W) tensor: every pixel's
/// C values less their mean, over their standard deviation (biased variance plus `epsilon`), then
/// scaled by `weight` and shifted by `bias` (both (C)). This is ConvNeXt's LayerNorm2d, and the
/// channels-last nn.LayerNorm inside its blocks computes the same on the permuted tensor.
///
/// oneDNN's layer normalization normalizes over the last, contiguous dimension; on NCHW the
/// channels are the strided one. So this is Graft's own loop on plain NCHW (the input is made
/// plain first), vectorized along the pixels: for each channel in turn, the pixels' running sums
/// are contiguous. Statistics take two passes (mean, then the squared deviations), which keeps
/// float32 exact enough for hundreds of channels.
///
/// The backward keeps the plain input and each pixel's mean and 1 / std, not the output.
public func channelLayerNorm(_ x: Tensor, weight: Tensor, bias: Tensor, epsilon: Float) -> Tensor {
    precondition(x.shape.count == 4, "channelLayerNorm wants (N, C, H, W), not \(x.shape)")
    let channels = x.shape[1]
    precondition(weight.shape == [channels] && bias.shape == [channels],
                 "channelLayerNorm: weight \(weight.shape) and bias \(bias.shape) should be [\(channels)]")
    let plain = Layout.plain(x.shape)
    let src = x.storage.reordered(to: plain)
    let problem = ChannelNormProblem(batch: x.shape[0], channels: channels, pixels: x.shape[2] * x.shape[3])
    let out = Storage(layout: plain)
    let scale = weight.storage.reordered(to: .plain([channels])), shift = bias.storage.reordered(to: .plain([channels]))
    let stats = withExtendedLifetime((src, scale, shift)) {
        problem.forward(src.floats, weight: scale.floats, bias: shift.floats, epsilon: epsilon, into: out.floats)
    }
    let needs = (x: x.requiresGrad, weight: weight.requiresGrad, bias: bias.requiresGrad)
    let result = record("channelLayerNorm", output: out, shape: x.shape, inputs: [x, weight, bias]) { dy in
        let upstream = dy.reordered(to: plain)
        let dx = needs.x ? Storage(layout: plain) : nil
        let dw = Storage(layout: .plain([channels])), db = Storage(layout: .plain([channels]))
        let scale = weight.storage.reordered(to: .plain([channels]))
        withExtendedLifetime((src, upstream, scale)) {
            problem.backward(src.floats, dy: upstream.floats, stats: stats, weight: scale.floats,
                             dx: dx?.floats, dWeight: dw.floats, dBias: db.floats)
        }
        return [dx, needs.weight ? dw : nil, needs.bias ? db : nil]
    }
    return traced(result, inputs: [x, weight, bias]) { _ in .channelLayerNorm(epsilon: epsilon) }
}

/// The loops of `channelLayerNorm` for one shape; each sample is one job (in parallel).
private struct ChannelNormProblem {
    let batch, channels, pixels: Int

    /// Each pixel's mean and 1 / sqrt(variance + epsilon), sample-major.
    struct Statistics {
        let mean: [Float]
        let inverseStd: [Float]
    }

    func forward(_ x: UnsafeMutablePointer<Float>, weight: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>,
                 epsilon: Float, into y: UnsafeMutablePointer<Float>) -> Statistics {
        var mean = [Float](repeating: 0, count: batch * pixels), inverseStd = mean
        let (c, p) = (channels, pixels)
        mean.withUnsafeMutableBufferPointer { meanBuffer in
            inverseStd.withUnsafeMutableBufferPointer { stdBuffer in
                let m = meanBuffer.baseAddress!, s = stdBuffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: batch) { n in
                    let xs = x + n * c * p, ys = y + n * c * p, mu = m + n * p, r = s + n * p
                    for k in 0..<c { for i in 0..<p { mu[i] += xs[k * p + i] } }
                    for i in 0..<p { mu[i] /= Float(c) }
                    for k in 0..<c {
                        for i in 0..<p {
                            let d = xs[k * p + i] - mu[i]
                            r[i] += d * d
                        }
                    }
                    for i in 0..<p { r[i] = 1 / (r[i] / Float(c) + epsilon).squareRoot() }
                    for k in 0..<c {
                        let (g, b) = (weight[k], bias[k])
                        for i in 0..<p { ys[k * p + i] = (xs[k * p + i] - mu[i]) * r[i] * g + b }
                    }
                }
            }
        }
        return Statistics(mean: mean, inverseStd: inverseStd)
    }

    /// With xhat = (x - mean) / std and g = dy * weight (per channel):
    /// dx = (g - mean_c(g) - xhat * mean_c(g * xhat)) / std, dWeight = sum(dy * xhat), dBias = sum(dy),
    /// the sums over the batch and the pixels. `dx` nil: only the parameters' gradients.
    func backward(_ x: UnsafeMutablePointer<Float>, dy: UnsafeMutablePointer<Float>, stats: Statistics,
                  weight: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                  dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>) {
        let (c, p) = (channels, pixels)
        // Per-sample partial sums of the parameter gradients, added up after the parallel part.
        var partialWeight = [Float](repeating: 0, count: batch * c), partialBias = partialWeight
        partialWeight.withUnsafeMutableBufferPointer { pwBuffer in
            partialBias.withUnsafeMutableBufferPointer { pbBuffer in
                let pw = pwBuffer.baseAddress!, pb = pbBuffer.baseAddress!
                stats.mean.withUnsafeBufferPointer { meanBuffer in
                    stats.inverseStd.withUnsafeBufferPointer { stdBuffer in
                        DispatchQueue.concurrentPerform(iterations: batch) { n in
                            let xs = x + n * c * p, gs = dy + n * c * p
                            let mu = meanBuffer.baseAddress! + n * p, r = stdBuffer.baseAddress! + n * p
                            var sumG = [Float](repeating: 0, count: p), sumGX = sumG
                            for k in 0..<c {
                                var dw: Float = 0, db: Float = 0
                                let w = weight[k]
                                for i in 0..<p {
                                    let xhat = (xs[k * p + i] - mu[i]) * r[i], g = gs[k * p + i]
                                    dw += g * xhat
                                    db += g
                                    sumG[i] += g * w
                                    sumGX[i] += g * w * xhat
                                }
                                pw[n * c + k] = dw
                                pb[n * c + k] = db
                            }
                            guard let dx else { return }
                            let out = dx + n * c * p
                            for i in 0..<p {
                                sumG[i] /= Float(c)
                                sumGX[i] /= Float(c)
                            }
                            for k in 0..<c {
                                let w = weight[k]
                                for i in 0..<p {
                                    let xhat = (xs[k * p + i] - mu[i]) * r[i]
                                    out[k * p + i] = (gs[k * p + i] * w - sumG[i] - xhat * sumGX[i]) * r[i]
                                }
                            }
                        }
                    }
                }
            }
        }
        for k in 0..<c {
            var dw: Float = 0, db: Float = 0
            for n in 0..<batch {
                dw += partialWeight[n * c + k]
                db += partialBias[n * c + k]
            }
            dWeight[k] = dw
            dBias[k] = db
        }
    }
}
