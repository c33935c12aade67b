import GraftCore

/// Random brightness, contrast, saturation and hue (torchvision's ColorJitter): factors drawn
/// from [1 - m, 1 + m], the hue shifted by up to `hue` of a full turn (at most 0.5).
public struct ColorJitter: Sendable, Equatable {
    public var probability: Double
    public var brightness: Double
    public var contrast: Double
    public var saturation: Double
    public var hue: Double

    public init(probability: Double = 1, brightness: Double = 0, contrast: Double = 0, saturation: Double = 0,
                hue: Double = 0) {
        self.probability = probability
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.hue = min(hue, 0.5)
    }
}

extension ColorJitter {
    /// Brightness, contrast, saturation and hue, each with its own random factor, in that order.
    func apply(to image: inout PlanarImage, generator: inout SeededGenerator) {
        let brightnessFactor = Float(generator.uniform(max(0, 1 - brightness), 1 + brightness))
        let contrastFactor = Float(generator.uniform(max(0, 1 - contrast), 1 + contrast))
        let saturationFactor = Float(generator.uniform(max(0, 1 - saturation), 1 + saturation))
        let hueShift = Float(generator.uniform(-hue, hue))
        let plane = image.planeSize
        image.values.withUnsafeMutableBufferPointer { v in
            let r = v.baseAddress!, g = r + plane, b = g + plane
            if brightness > 0 {
                for i in 0..<(3 * plane) { v[i] = clamp255(v[i] * brightnessFactor) }
            }
            if contrast > 0 {
                // Blend with the mean grey level of the whole image.
                var total: Float = 0
                for i in 0..<plane { total += luma(r[i], g[i], b[i]) }
                let mean = total / Float(plane)
                for i in 0..<(3 * plane) { v[i] = clamp255(mean + (v[i] - mean) * contrastFactor) }
            }
            if saturation > 0 {
                // Blend each pixel with its own grey.
                for i in 0..<plane {
                    let grey = luma(r[i], g[i], b[i])
                    r[i] = clamp255(grey + (r[i] - grey) * saturationFactor)
                    g[i] = clamp255(grey + (g[i] - grey) * saturationFactor)
                    b[i] = clamp255(grey + (b[i] - grey) * saturationFactor)
                }
            }
            if hue > 0 {
                for i in 0..<plane { (r[i], g[i], b[i]) = rotateHue(r[i], g[i], b[i], by: hueShift) }
            }
        }
    }
}

@inline(__always) private func clamp255(_ x: Float) -> Float { min(max(x, 0), 255) }

@inline(__always) private func luma(_ r: Float, _ g: Float, _ b: Float) -> Float {
    0.299 * r + 0.587 * g + 0.114 * b
}

/// Shifts the hue by `shift` of a full turn, through HSV.
private func rotateHue(_ r: Float, _ g: Float, _ b: Float, by shift: Float) -> (Float, Float, Float) {
    let maxC = max(r, g, b), minC = min(r, g, b)
    let chroma = maxC - minC
    if chroma <= 0 { return (r, g, b) }
    var h: Float
    if maxC == r { h = (g - b) / chroma } else if maxC == g { h = 2 + (b - r) / chroma } else { h = 4 + (r - g) / chroma }
    h = h / 6 + shift
    // Wrap into [0, 1) without a libm floor call (h lies within [-2/3, 3/2) here).
    if h < 0 { h += 1 } else if h >= 1 { h -= 1 }
    let sector = h * 6
    let i = Int(sector) % 6
    let f = sector - Float(Int(sector))
    let v = maxC, p = minC
    let q = v - chroma * f, t = p + chroma * f
    switch i {
    case 0: return (v, t, p)
    case 1: return (q, v, p)
    case 2: return (p, v, t)
    case 3: return (p, q, v)
    case 4: return (t, p, v)
    default: return (v, p, q)
    }
}
