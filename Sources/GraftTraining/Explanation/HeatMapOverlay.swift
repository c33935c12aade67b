import GraftData

extension ClassActivationMap {
    /// `image` with the map laid over it: each pixel blended with a blue-to-red colour for the
    /// map's value there (the usual "jet" scale), more opaque where the value is higher, so the
    /// places that did not matter stay readable.
    public func overlay(on image: RGBImage, opacity: Float = 0.6) -> RGBImage {
        var pixels = image.pixels
        for y in 0..<image.height {
            for x in 0..<image.width {
                let v = value(x: x, y: y, imageWidth: image.width, imageHeight: image.height)
                let colour = Self.jet(v)
                let alpha = opacity * (0.25 + 0.75 * v)
                for c in 0..<3 {
                    let i = (y * image.width + x) * 3 + c
                    pixels[i] = UInt8(min(255, max(0, (Float(pixels[i]) * (1 - alpha) + colour[c] * alpha).rounded())))
                }
            }
        }
        return RGBImage(width: image.width, height: image.height, pixels: pixels)
    }

    /// Blue (0) through cyan, yellow to red (1), in 0...255.
    static func jet(_ v: Float) -> [Float] {
        func ramp(_ centre: Float) -> Float { min(max(1.5 - abs(4 * v - centre), 0), 1) * 255 }
        return [ramp(3), ramp(2), ramp(1)]
    }
}
