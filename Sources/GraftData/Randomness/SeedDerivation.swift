import GraftCore

/// Independent random streams derived from one user seed. Every sample's augmentation draws from
/// a generator seeded by (seed, epoch, sample index), so its result does not depend on which
/// thread handles it or when: the loader is deterministic for any number of threads.
public enum SeedDerivation {
    /// Streams that must not collide for the same seed, epoch and index.
    public enum Purpose: UInt64, Sendable {
        case shuffle = 1, sample = 2, batchMixing = 3, validationSplit = 4
    }

    public static func generator(seed: UInt64, purpose: Purpose, _ parts: UInt64...) -> SeededGenerator {
        var h = mix(seed ^ 0x6A09_E667_F3BC_C908)
        h = mix(h ^ purpose.rawValue)
        for part in parts { h = mix(h ^ part) }
        return SeededGenerator(seed: h)
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
