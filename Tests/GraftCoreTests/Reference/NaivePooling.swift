/// Max pooling; padded positions never win.
func naiveMaxPool2d(_ x: RefTensor, kernel: (Int, Int), stride: (Int, Int), pad: PadAmounts) -> RefTensor {
    slidingWindow(x, kernel: kernel, stride: stride, pad: pad) { window, _ in window.max() ?? -.infinity }
}

/// Average pooling: divided by the whole window (`countPadding`) or by the pixels inside the image.
func naiveAvgPool2d(_ x: RefTensor, kernel: (Int, Int), stride: (Int, Int), pad: PadAmounts, countPadding: Bool) -> RefTensor {
    slidingWindow(x, kernel: kernel, stride: stride, pad: pad) { window, full in
        window.reduce(0, +) / Double(countPadding ? full : window.count)
    }
}

/// Mean over height and width: (N, C, H, W) -> (N, C).
func naiveGlobalAvgPool2d(_ x: RefTensor) -> RefTensor {
    let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
    var y = RefTensor(shape: [n, c])
    for i in 0..<(n * c) { y.data[i] = x.data[(i * hw)..<((i + 1) * hw)].reduce(0, +) / Double(hw) }
    return y
}

/// Applies `reduce` to the in-image values of every window; it also gets the full window size.
private func slidingWindow(_ x: RefTensor, kernel: (Int, Int), stride: (Int, Int), pad: PadAmounts,
                           reduce: ([Double], Int) -> Double) -> RefTensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = referenceOutputSize(h, kernel: kernel.0, stride: stride.0, padBefore: pad.top, padAfter: pad.bottom)
    let ow = referenceOutputSize(w, kernel: kernel.1, stride: stride.1, padBefore: pad.left, padAfter: pad.right)
    var y = RefTensor(shape: [n, c, oh, ow])
    var window: [Double] = []
    for b in 0..<n {
        for ch in 0..<c {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    window.removeAll(keepingCapacity: true)
                    for ky in 0..<kernel.0 {
                        let iy = oy * stride.0 - pad.top + ky
                        guard iy >= 0 && iy < h else { continue }
                        for kx in 0..<kernel.1 {
                            let ix = ox * stride.1 - pad.left + kx
                            guard ix >= 0 && ix < w else { continue }
                            window.append(x.data[x.offset(b, ch, iy, ix)])
                        }
                    }
                    y.data[y.offset(b, ch, oy, ox)] = reduce(window, kernel.0 * kernel.1)
                }
            }
        }
    }
    return y
}
