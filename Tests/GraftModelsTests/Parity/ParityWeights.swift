import Foundation

/// The formula "graft-parity-v1" that Fixtures/parity/make_parity_fixtures.py fills the reference
/// model with: every value a function of the state-dict key and the element's index, so a parity
/// test needs no committed weights. Integer hashing keeps both sides bit-for-bit the same before
/// the last conversion to floating point.
enum ParityWeights {
    static let formula = "graft-parity-v1"

    /// FNV-1a, 32 bits, of the key's UTF-8 bytes.
    static func nameHash(_ key: String) -> UInt32 {
        key.utf8.reduce(2_166_136_261 as UInt32) { h, byte in (h ^ UInt32(byte)) &* 16_777_619 }
    }

    /// Element i's value in [-1, 1), from an integer hash of (i, the key's hash).
    @inline(__always)
    static func uniform(_ i: Int, keyHash h: UInt32) -> Double {
        var x = UInt32(truncatingIfNeeded: i) &* 2_654_435_761 &+ h
        x ^= x >> 16
        x = x &* 2_246_822_519
        x ^= x >> 13
        x = x &* 3_266_489_917
        x ^= x >> 16
        return Double(x) / 4_294_967_296 * 2 - 1
    }

    /// The values of the tensor `key` of `shape`, by what kind of tensor the key names: running
    /// variances in [1, 1.5), biases and running means small, convolution and dense weights scaled
    /// by He's rule so that deep networks neither vanish nor overflow, norm scales near 1.
    static func values(_ key: String, shape: [Int]) -> [Float] {
        let count = shape.reduce(1, *)
        let (scale, offset): (Double, Double)
        if key.hasSuffix("running_var") {
            (scale, offset) = (0.25, 1.25)
        } else if key.hasSuffix("running_mean") || key.hasSuffix("bias") {
            (scale, offset) = (0.1, 0)
        } else if key.hasSuffix("weight") && shape.count >= 2 {
            (scale, offset) = ((6 / (Double(count) / Double(shape[0]))).squareRoot(), 0)
        } else {
            (scale, offset) = (0.2, 1)
        }
        let h = nameHash(key)
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Float(offset + scale * uniform(i, keyHash: h)) }
            initialized = count
        }
    }

    /// The fixture's input images: 2u, rounded to float32 (the script widens the same floats).
    static func input(shape: [Int]) -> [Float] {
        let h = nameHash("input")
        return (0..<shape.reduce(1, *)).map { Float(2 * uniform($0, keyHash: h)) }
    }
}
