import Foundation
import GraftCore

/// What an affine warp shows where it samples outside the image.
public enum BorderFill: String, CaseIterable, Sendable {
    /// The edge pixel repeated (aaaa|abcd|dddd): Keras' `fill_mode="nearest"`, its default.
    case nearest
    /// Mirrored at the edge (dcba|abcd|dcba): Keras' `fill_mode="reflect"`, the presets' choice.
    case reflect
}

/// Rotation, shift, zoom and shear in one resampling (Keras' ImageDataGenerator's
/// `rotation_range`, `width_shift_range`/`height_shift_range`, `zoom_range` and
/// `shear_range`), with reflected borders unless `fill` says otherwise.
public struct AffineJitter: Sendable, Equatable {
    public var probability: Double
    /// Maximum rotation either way, in degrees.
    public var rotationDegrees: Double
    /// Maximum shift either way, as a fraction of width and height.
    public var shift: Double
    /// Maximum zoom either way: 0.1 scales by a factor in [0.9, 1.1].
    public var zoom: Double
    /// Maximum shear either way, in degrees.
    public var shearDegrees: Double
    /// What appears where the warp samples outside the image.
    public var fill: BorderFill

    public init(probability: Double = 1, rotationDegrees: Double = 0, shift: Double = 0, zoom: Double = 0,
                shearDegrees: Double = 0, fill: BorderFill = .reflect) {
        self.probability = probability
        self.rotationDegrees = rotationDegrees
        self.shift = shift
        self.zoom = zoom
        self.shearDegrees = shearDegrees
        self.fill = fill
    }

    /// Whether every draw is the identity.
    var isIdentity: Bool { rotationDegrees == 0 && shift == 0 && zoom == 0 && shearDegrees == 0 }
}

extension AffineJitter {
    /// Draws a rotation, shift, zoom and shear and applies them about the image centre.
    func apply(to image: PlanarImage, generator: inout SeededGenerator) -> PlanarImage {
        let angle = generator.uniform(-rotationDegrees, rotationDegrees) * .pi / 180
        let shear = generator.uniform(-shearDegrees, shearDegrees) * .pi / 180
        let zoomX = generator.uniform(1 - zoom, 1 + zoom), zoomY = generator.uniform(1 - zoom, 1 + zoom)
        let dx = generator.uniform(-shift, shift) * Double(image.width)
        let dy = generator.uniform(-shift, shift) * Double(image.height)
        // Forward map: rotate * shear * scale. The warp needs its inverse (output -> source).
        let (c, s) = (cos(angle), sin(angle))
        let a = c * zoomX, b = (-s + c * tan(shear)) * zoomY
        let d = s * zoomX, e = (c + s * tan(shear)) * zoomY
        let det = a * e - b * d
        guard abs(det) > 1e-9 else { return image }
        let inverse = (a: e / det, b: -b / det, d: -d / det, e: a / det)
        return image.warped(inverse: inverse, shiftX: dx, shiftY: dy, fill: fill)
    }
}

extension PlanarImage {
    /// Resamples with bilinear interpolation; each output pixel centre p maps to the source
    /// point centre + inverse * (p - centre - shift). Borders are reflected or repeated
    /// (`fill`), so no black wedges appear after a rotation.
    func warped(inverse m: (a: Double, b: Double, d: Double, e: Double), shiftX: Double, shiftY: Double,
                fill: BorderFill = .reflect) -> PlanarImage {
        let fold: (Int, Int) -> Int = fill == .reflect ? reflect : clampIndex
        var out = [Float](repeating: 0, count: values.count)
        let w = width, h = height, plane = planeSize
        let cx = Double(w) / 2, cy = Double(h) / 2
        values.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let s0 = src.baseAddress!, s1 = s0 + plane, s2 = s1 + plane
                let d0 = dst.baseAddress!, d1 = d0 + plane, d2 = d1 + plane
                for y in 0..<h {
                    let py = Double(y) + 0.5 - cy - shiftY
                    let px0 = 0.5 - cx - shiftX
                    // Source coordinates move by (a, d) per output column.
                    let rowX = m.a * px0 + m.b * py + cx - 0.5
                    let rowY = m.d * px0 + m.e * py + cy - 0.5
                    for x in 0..<w {
                        let sx = rowX + m.a * Double(x), sy = rowY + m.d * Double(x)
                        // Truncation plus a correction is floor without a libm call.
                        var x0 = Int(sx), y0 = Int(sy)
                        if Double(x0) > sx { x0 -= 1 }
                        if Double(y0) > sy { y0 -= 1 }
                        let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                        let i00: Int, i01: Int, i10: Int, i11: Int
                        if x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h {
                            i00 = y0 * w + x0; i01 = i00 + 1; i10 = i00 + w; i11 = i10 + 1
                        } else {
                            let xa = fold(x0, w), xb = fold(x0 + 1, w)
                            let ya = fold(y0, h) * w, yb = fold(y0 + 1, h) * w
                            i00 = ya + xa; i01 = ya + xb; i10 = yb + xa; i11 = yb + xb
                        }
                        let w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy
                        let o = y * w + x
                        d0[o] = w00 * s0[i00] + w01 * s0[i01] + w10 * s0[i10] + w11 * s0[i11]
                        d1[o] = w00 * s1[i00] + w01 * s1[i01] + w10 * s1[i10] + w11 * s1[i11]
                        d2[o] = w00 * s2[i00] + w01 * s2[i01] + w10 * s2[i10] + w11 * s2[i11]
                    }
                }
            }
        }
        return PlanarImage(width: width, height: height, values: out)
    }
}

/// Index `i` folded into 0..<n by mirroring at the edges (d c b a | a b c d | d c b a).
@inline(__always) func reflect(_ i: Int, _ n: Int) -> Int {
    if i >= 0 && i < n { return i }
    let period = 2 * n
    var k = i % period
    if k < 0 { k += period }
    return k < n ? k : period - 1 - k
}

/// Index `i` clamped into 0..<n (a a a | a b c d | d d d).
@inline(__always) func clampIndex(_ i: Int, _ n: Int) -> Int { min(max(i, 0), n - 1) }
