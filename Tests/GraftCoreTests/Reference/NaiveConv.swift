import GraftCore

/// Padding in pixels on each side of the two spatial dimensions.
struct PadAmounts: Equatable, CustomStringConvertible {
    var top, bottom, left, right: Int

    var description: String { "(t \(top), b \(bottom), l \(left), r \(right))" }
}

/// The padding a `Padding` means for one input size, derived here independently of the library:
/// TensorFlow's static SAME gives ceil(size / stride) outputs and puts the odd pixel after.
func referencePadAmounts(_ padding: Padding, height: Int, width: Int, kernel: (Int, Int),
                         stride: (Int, Int), dilation: (Int, Int) = (1, 1)) -> PadAmounts {
    switch padding {
    case .valid:
        return PadAmounts(top: 0, bottom: 0, left: 0, right: 0)
    case let .symmetric(h, w):
        return PadAmounts(top: h, bottom: h, left: w, right: w)
    case let .explicit(t, b, l, r):
        return PadAmounts(top: t, bottom: b, left: l, right: r)
    case .same:
        func along(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            let outputs = (size + s - 1) / s
            let span = (k - 1) * d + 1
            let total = max(0, (outputs - 1) * s + span - size)
            return (total / 2, total - total / 2)
        }
        let (t, b) = along(height, kernel.0, stride.0, dilation.0)
        let (l, r) = along(width, kernel.1, stride.1, dilation.1)
        return PadAmounts(top: t, bottom: b, left: l, right: r)
    }
}

/// Number of positions of a window sliding along one padded dimension.
func referenceOutputSize(_ size: Int, kernel: Int, stride: Int, dilation: Int = 1, padBefore: Int, padAfter: Int) -> Int {
    (size + padBefore + padAfter - (kernel - 1) * dilation - 1) / stride + 1
}

/// Direct 2-D convolution (cross-correlation, as in PyTorch) in double precision.
/// x: (N, C, H, W); weight: (O, C / groups, kH, kW); bias: (O).
func naiveConv2d(_ x: RefTensor, weight: RefTensor, bias: RefTensor?, stride: (Int, Int), pad: PadAmounts,
                 dilation: (Int, Int), groups: Int) -> RefTensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (o, cPerGroup, kh, kw) = (weight.shape[0], weight.shape[1], weight.shape[2], weight.shape[3])
    precondition(cPerGroup * groups == c && o % groups == 0)
    let oPerGroup = o / groups
    let oh = referenceOutputSize(h, kernel: kh, stride: stride.0, dilation: dilation.0, padBefore: pad.top, padAfter: pad.bottom)
    let ow = referenceOutputSize(w, kernel: kw, stride: stride.1, dilation: dilation.1, padBefore: pad.left, padAfter: pad.right)
    var y = RefTensor(shape: [n, o, oh, ow])
    for b in 0..<n {
        for oc in 0..<o {
            let group = oc / oPerGroup
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var sum = bias?.data[oc] ?? 0
                    for ic in 0..<cPerGroup {
                        let xc = group * cPerGroup + ic
                        for ky in 0..<kh {
                            let iy = oy * stride.0 - pad.top + ky * dilation.0
                            guard iy >= 0 && iy < h else { continue }
                            for kx in 0..<kw {
                                let ix = ox * stride.1 - pad.left + kx * dilation.1
                                guard ix >= 0 && ix < w else { continue }
                                sum += x.data[x.offset(b, xc, iy, ix)] * weight.data[weight.offset(oc, ic, ky, kx)]
                            }
                        }
                    }
                    y.data[y.offset(b, oc, oy, ox)] = sum
                }
            }
        }
    }
    return y
}
