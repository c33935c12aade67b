import Foundation

/// Makes RGBA pixels opaque by compositing them onto `DecodingOptions.background` in linear
/// light, the rule libpng applies to PNGs, so that one picture saved as PNG, WebP, TIFF or BMP
/// trains on the same pixels (to within a level or two of libpng's fixed-point arithmetic).
/// Blending the sRGB values directly would darken every antialiased edge.
enum AlphaCompositing {
    /// `rgba` holds `width * height` pixels of 8-bit red, green, blue, alpha. `premultiplied`:
    /// the colours are already scaled by alpha (libtiff's RGBA interface gives them so).
    static func opaque(_ rgba: UnsafeBufferPointer<UInt8>, width: Int, height: Int, premultiplied: Bool = false,
                       background: (red: UInt8, green: UInt8, blue: UInt8)) -> RGBImage {
        let count = width * height
        precondition(rgba.count >= count * 4, "AlphaCompositing: \(rgba.count) bytes for \(count) RGBA pixels")
        let backdrop = [background.red, background.green, background.blue]
        let linearBackdrop = backdrop.map { linear[Int($0)] }
        var pixels = [UInt8](repeating: 0, count: count * 3)
        pixels.withUnsafeMutableBufferPointer { out in
            for i in 0..<count {
                let alpha = Int(rgba[4 * i + 3])
                for c in 0..<3 {
                    let value = rgba[4 * i + c]
                    switch alpha {
                    case 255: out[3 * i + c] = value
                    case 0: out[3 * i + c] = backdrop[c]
                    default:
                        let straight = premultiplied ? min(255, (Int(value) * 255 + alpha / 2) / alpha) : Int(value)
                        let a = Double(alpha) / 255
                        let mixed = a * linear[straight] + (1 - a) * linearBackdrop[c]
                        out[3 * i + c] = encoded[Int(mixed * 65535 + 0.5)]
                    }
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Each 8-bit sRGB value in linear light, 0...1 (IEC 61966-2-1).
    static let linear: [Double] = (0...255).map { value in
        let v = Double(value) / 255
        return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
    }

    /// Linear light, in steps of 1/65535, back to 8-bit sRGB, rounded: a table, since a `pow` per
    /// channel would make a translucent photo decode several times slower.
    static let encoded: [UInt8] = (0...65535).map { step in
        let l = Double(step) / 65535
        let v = l <= 0.0031308 ? 12.92 * l : 1.055 * pow(l, 1 / 2.4) - 0.055
        return UInt8(max(0, min(255, (v * 255).rounded())))
    }
}
