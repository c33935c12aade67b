/// A float RGB image stored as three planes (channel, row, column), values nominally in
/// [0, 255]. Augmentations work on it because planes are what the batch tensor (N, 3, H, W)
/// wants, and floats keep the colour jitter from rounding at every step.
public struct PlanarImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// `3 * height * width` values: the red plane, then green, then blue.
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == 3 * width * height, "\(values.count) values for a \(width)x\(height) planar image")
        self.width = width
        self.height = height
        self.values = values
    }

    public init(width: Int, height: Int, repeating value: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: value, count: 3 * width * height))
    }

    public init(_ image: RGBImage) {
        let plane = image.width * image.height
        var values = [Float](repeating: 0, count: 3 * plane)
        image.pixels.withUnsafeBufferPointer { src in
            values.withUnsafeMutableBufferPointer { dst in
                for i in 0..<plane {
                    dst[i] = Float(src[3 * i])
                    dst[plane + i] = Float(src[3 * i + 1])
                    dst[2 * plane + i] = Float(src[3 * i + 2])
                }
            }
        }
        self.init(width: image.width, height: image.height, values: values)
    }

    public var planeSize: Int { width * height }

    /// Rounded and clamped back to 8 bits (for saving an augmented sample to look at it).
    public func rgbImage() -> RGBImage {
        let plane = planeSize
        var pixels = [UInt8](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 {
                pixels[3 * i + c] = UInt8(max(0, min(255, values[c * plane + i].rounded())))
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }
}
