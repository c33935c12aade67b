/// Separable antialiased resizing: a horizontal pass over the rows the output needs, then a
/// vertical pass, each with precomputed `ResampleCoefficients`.
public enum Resampler {
    /// `image` resized to `width` x `height`, rounded back to 8 bits after each pass as Pillow
    /// does (its `Image.resize` with BILINEAR or BICUBIC, to within rounding of its fixed point).
    public static func resize(_ image: RGBImage, width: Int, height: Int, filter: ResampleFilter = .bilinear,
                              box: CropBox? = nil) -> RGBImage {
        let box = box ?? CropBox(covering: image.width, image.height)
        var out = [Float](repeating: 0, count: width * height * 3)
        resample(image, box: box, width: width, height: height, filter: filter, roundsBetweenPasses: true,
                 into: &out) { value in roundedByte(value) }
        return RGBImage(width: width, height: height, pixels: out.map { UInt8($0) })
    }

    /// The `box` of `image` resampled to `width` x `height` as float planes in [0, 255], with no
    /// rounding: the first step of every training and evaluation sample.
    public static func resample(_ image: RGBImage, box: CropBox, width: Int, height: Int,
                                filter: ResampleFilter = .bilinear) -> PlanarImage {
        var interleaved = [Float](repeating: 0, count: width * height * 3)
        resample(image, box: box, width: width, height: height, filter: filter, roundsBetweenPasses: false,
                 into: &interleaved) { $0 }
        let plane = width * height
        var planes = [Float](repeating: 0, count: 3 * plane)
        interleaved.withUnsafeBufferPointer { src in
            planes.withUnsafeMutableBufferPointer { dst in
                for i in 0..<plane {
                    dst[i] = src[3 * i]; dst[plane + i] = src[3 * i + 1]; dst[2 * plane + i] = src[3 * i + 2]
                }
            }
        }
        return PlanarImage(width: width, height: height, values: planes)
    }

    /// Resize `image` into a new image whose shorter side is `shorterSide`, keeping the aspect
    /// ratio (torchvision's `Resize(int)`: the longer side is truncated, not rounded).
    public static func resize(_ image: RGBImage, shorterSide: Int, filter: ResampleFilter = .bilinear) -> RGBImage {
        let (w, h) = shorterSideSize(width: image.width, height: image.height, shorterSide: shorterSide)
        if w == image.width && h == image.height { return image }
        return resize(image, width: w, height: h, filter: filter)
    }

    /// Clamped to 0...255 and rounded half up, as Pillow's fixed point does (and without the
    /// libm call `rounded()` makes, which dominated the resize).
    @inline(__always) static func roundedByte(_ x: Float) -> Float {
        Float(Int(min(max(x, 0), 255) + 0.5))
    }

    static func shorterSideSize(width: Int, height: Int, shorterSide: Int) -> (Int, Int) {
        if width <= height {
            return (shorterSide, max(1, Int(Double(shorterSide) * Double(height) / Double(width))))
        }
        return (max(1, Int(Double(shorterSide) * Double(width) / Double(height))), shorterSide)
    }

    private static func resample(_ image: RGBImage, box: CropBox, width: Int, height: Int, filter: ResampleFilter,
                                 roundsBetweenPasses: Bool, into out: inout [Float],
                                 finish: (Float) -> Float) {
        let vertical = ResampleCoefficients(sourceLength: image.height, outputLength: height,
                                            start: box.y, end: box.y + box.height, filter: filter)
        let horizontalIsIdentity = ResampleCoefficients.isIdentity(sourceLength: image.width, outputLength: width,
                                                                   start: box.x, end: box.x + box.width)
        let horizontal = horizontalIsIdentity ? nil : ResampleCoefficients(
            sourceLength: image.width, outputLength: width, start: box.x, end: box.x + box.width, filter: filter)
        // Only the source rows some output row reads go through the horizontal pass.
        let firstRow = vertical.first.min() ?? 0
        let lastRow = zip(vertical.first, vertical.count).map { $0 + $1 }.max() ?? 0
        let rows = lastRow - firstRow
        var stage = [Float](repeating: 0, count: rows * width * 3)
        let sourceWidth = image.width
        image.pixels.withUnsafeBufferPointer { src in
            stage.withUnsafeMutableBufferPointer { mid in
                for r in 0..<rows {
                    let srcRow = src.baseAddress! + (firstRow + r) * sourceWidth * 3
                    let midRow = mid.baseAddress! + r * width * 3
                    guard let horizontal else {
                        let offset = Int(box.x) * 3
                        for i in 0..<(width * 3) { midRow[i] = Float(srcRow[offset + i]) }
                        continue
                    }
                    horizontal.weights.withUnsafeBufferPointer { weights in
                        for x in 0..<width {
                            var r0: Float = 0, g0: Float = 0, b0: Float = 0
                            let w = weights.baseAddress! + x * horizontal.stride
                            var p = srcRow + horizontal.first[x] * 3
                            for k in 0..<horizontal.count[x] {
                                r0 += w[k] * Float(p[0]); g0 += w[k] * Float(p[1]); b0 += w[k] * Float(p[2])
                                p += 3
                            }
                            if roundsBetweenPasses {
                                r0 = roundedByte(r0); g0 = roundedByte(g0); b0 = roundedByte(b0)
                            }
                            midRow[3 * x] = r0; midRow[3 * x + 1] = g0; midRow[3 * x + 2] = b0
                        }
                    }
                }
            }
        }
        let rowLength = width * 3
        stage.withUnsafeBufferPointer { mid in
            vertical.weights.withUnsafeBufferPointer { weights in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<height {
                        let w = weights.baseAddress! + y * vertical.stride
                        let base = mid.baseAddress! + (vertical.first[y] - firstRow) * rowLength
                        let dstRow = dst.baseAddress! + y * rowLength
                        for i in 0..<rowLength { dstRow[i] = 0 }
                        for k in 0..<vertical.count[y] {
                            let row = base + k * rowLength
                            let wk = w[k]
                            for i in 0..<rowLength { dstRow[i] += wk * row[i] }
                        }
                        for i in 0..<rowLength { dstRow[i] = finish(dstRow[i]) }
                    }
                }
            }
        }
    }
}
