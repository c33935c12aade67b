import Foundation

/// A fast, seedable random generator (xoshiro256**, seeded through SplitMix64), so that weight
/// initialization, dropout masks and shuffling are reproducible from one seed.
public struct SeededGenerator: RandomNumberGenerator, Codable, Equatable, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits, exactly representable as Float.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal (Box-Muller).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), .leastNormalMagnitude)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}

extension Tensor {
    /// Values drawn uniformly from [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, generator: inout SeededGenerator,
                               requiresGrad: Bool = false) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { _ in low + (high - low) * generator.nextUnitFloat() }
        return Tensor(shape: shape, values: values, requiresGrad: requiresGrad)
    }

    /// Values drawn from a normal distribution.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, generator: inout SeededGenerator,
                              requiresGrad: Bool = false) -> Tensor {
        let values = (0..<shape.reduce(1, *)).map { _ in mean + std * generator.nextNormal() }
        return Tensor(shape: shape, values: values, requiresGrad: requiresGrad)
    }
}
