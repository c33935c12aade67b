/// How a convolution or pooling pads its input.
public enum Padding: Equatable, Sendable {
    /// No padding ("VALID" in TensorFlow).
    case valid
    /// The same padding on both sides of each spatial dimension (PyTorch's `padding=(h, w)`).
    case symmetric(height: Int, width: Int)
    /// Explicit, possibly asymmetric, padding.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)
    /// TensorFlow's static "SAME": output size ceil(input / stride), with the odd pixel of
    /// padding at the bottom and right. Its amounts depend on the input size.
    case same

    /// (top, bottom, left, right) for an input of `height` x `width`.
    func amounts(height: Int, width: Int, kernel: (Int, Int), stride: (Int, Int), dilation: (Int, Int))
        -> (top: Int, bottom: Int, left: Int, right: Int) {
        switch self {
        case .valid: return (0, 0, 0, 0)
        case let .symmetric(h, w): return (h, h, w, w)
        case let .explicit(t, b, l, r): return (t, b, l, r)
        case .same:
            func split(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
                let out = (size + s - 1) / s
                let total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
                return (total / 2, total - total / 2)
            }
            let (t, b) = split(height, kernel.0, stride.0, dilation.0)
            let (l, r) = split(width, kernel.1, stride.1, dilation.1)
            return (t, b, l, r)
        }
    }
}

/// Output size of a sliding window along one dimension.
func slidingOutputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int, padBefore: Int, padAfter: Int) -> Int {
    (input + padBefore + padAfter - ((kernel - 1) * dilation + 1)) / stride + 1
}
