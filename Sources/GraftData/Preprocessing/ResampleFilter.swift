/// Interpolation kernels for resizing. When shrinking, the kernel is stretched by the shrink
/// factor (see `ResampleCoefficients`), so it averages every source pixel under an output pixel
/// instead of sampling a few and aliasing: the antialiased resize of Pillow and of torchvision
/// with `antialias=True`.
public enum ResampleFilter: String, Sendable, CaseIterable {
    case bilinear
    case bicubic

    /// Half-width of the kernel at scale 1, in source pixels.
    var support: Double {
        switch self {
        case .bilinear: return 1
        case .bicubic: return 2
        }
    }

    @inline(__always) func weight(_ x: Double) -> Double {
        let x = abs(x)
        switch self {
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            // Keys' cubic convolution with a = -0.5, as Pillow and torchvision use.
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }
}
