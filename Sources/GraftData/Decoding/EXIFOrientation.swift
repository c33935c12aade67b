/// The eight EXIF orientations: how the stored pixels must be turned to appear upright.
public enum EXIFOrientation: Int, Sendable {
    case up = 1, mirrored = 2, upsideDown = 3, upsideDownMirrored = 4
    case transposed = 5, rotatedClockwise = 6, transverse = 7, rotatedCounterClockwise = 8

    /// Whether the upright image has width and height swapped relative to the stored one.
    var swapsAxes: Bool { rawValue >= 5 }
}

extension RGBImage {
    /// The image turned upright according to `orientation` (1 leaves it unchanged).
    public func applying(_ orientation: EXIFOrientation) -> RGBImage {
        if orientation == .up { return self }
        let w = width, h = height
        let outWidth = orientation.swapsAxes ? h : w
        let outHeight = orientation.swapsAxes ? w : h
        // For each output pixel, the stored pixel that lands there.
        let source: (Int, Int) -> (Int, Int)
        switch orientation {
        case .up: source = { x, y in (x, y) }
        case .mirrored: source = { x, y in (w - 1 - x, y) }
        case .upsideDown: source = { x, y in (w - 1 - x, h - 1 - y) }
        case .upsideDownMirrored: source = { x, y in (x, h - 1 - y) }
        case .transposed: source = { x, y in (y, x) }
        case .rotatedClockwise: source = { x, y in (y, h - 1 - x) }
        case .transverse: source = { x, y in (w - 1 - y, h - 1 - x) }
        case .rotatedCounterClockwise: source = { x, y in (w - 1 - y, x) }
        }
        var out = [UInt8](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for y in 0..<outHeight {
                    for x in 0..<outWidth {
                        let (sx, sy) = source(x, y)
                        let s = (sy * w + sx) * 3, d = (y * outWidth + x) * 3
                        dst[d] = src[s]; dst[d + 1] = src[s + 1]; dst[d + 2] = src[s + 2]
                    }
                }
            }
        }
        return RGBImage(width: outWidth, height: outHeight, pixels: out)
    }
}
