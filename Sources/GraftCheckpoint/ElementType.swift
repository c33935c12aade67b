/// The element types a checkpoint may store. Floating-point types are widened to `Float` when
/// read; `int64` stays integral because it holds counters (`num_batches_tracked`), not weights.
public enum ElementType: String, Sendable, CaseIterable {
    case float32, float16, bfloat16, float64, int64

    /// Bytes per element in the file.
    public var byteCount: Int {
        switch self {
        case .float16, .bfloat16: return 2
        case .float32: return 4
        case .float64, .int64: return 8
        }
    }

    public var isFloatingPoint: Bool { self != .int64 }
}

/// Half-precision bits to `Float`, exactly (every float16 is representable as a float32).
/// Written out rather than using `Float16`, which is not available on every platform Swift targets.
func floatFromHalfBits(_ bits: UInt16) -> Float {
    let sign = UInt32(bits & 0x8000) << 16
    let exponent = UInt32(bits >> 10) & 0x1f
    let mantissa = UInt32(bits & 0x3ff)
    switch exponent {
    case 0:
        // Zero or subnormal: mantissa * 2^-24, which float32 holds as a normal number.
        let magnitude = Float(mantissa) * 0x1p-24
        return sign == 0 ? magnitude : -magnitude
    case 0x1f:
        // Infinity or NaN; the payload moves to the top of float32's mantissa.
        return Float(bitPattern: sign | 0x7f80_0000 | mantissa << 13)
    default:
        // Rebias the exponent from 15 to 127.
        return Float(bitPattern: sign | (exponent + 112) << 23 | mantissa << 13)
    }
}

/// bfloat16 is the top half of a float32.
func floatFromBFloat16Bits(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}
