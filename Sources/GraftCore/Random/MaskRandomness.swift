/// Where dropout and stochastic depth draw their masks from.
public protocol MaskRandomness {
    /// `perSample` draws, uniform in [0, 1), for each of `samples` samples, sample after sample.
    mutating func unitFloats(samples: Int, perSample: Int) -> [Float]
}

extension SeededGenerator: MaskRandomness {
    /// The next `samples * perSample` draws of this one stream.
    public mutating func unitFloats(samples: Int, perSample: Int) -> [Float] {
        (0..<samples * perSample).map { _ in nextUnitFloat() }
    }
}

/// The randomness of one training pass. Sequential: one stream, as a `SeededGenerator`. Keyed by
/// sample: each sample's draws depend only on the batch's seed, the layer (the how-manieth
/// random layer of the pass) and the sample's place in the whole batch, so that a process
/// training on a slice of a batch draws for its images exactly what one process training on the
/// whole batch draws for them.
public struct LayerRandomness: MaskRandomness {
    private var sequential: SeededGenerator
    private let keyed: (seed: UInt64, firstSample: Int)?
    private var layer: UInt64 = 0

    /// One stream from `seed`.
    public init(seed: UInt64) {
        sequential = SeededGenerator(seed: seed)
        keyed = nil
    }

    /// Draws keyed by sample, for a slice of a batch whose first sample is the whole batch's
    /// `firstSample` (0 for the whole batch).
    public init(batchSeed: UInt64, firstSample: Int) {
        sequential = SeededGenerator(seed: batchSeed)
        keyed = (batchSeed, firstSample)
    }

    public mutating func unitFloats(samples: Int, perSample: Int) -> [Float] {
        guard let keyed else { return sequential.unitFloats(samples: samples, perSample: perSample) }
        layer += 1
        var layerStream = SeededGenerator(seed: keyed.seed ^ layer)
        let layerSeed = layerStream.next()
        var draws: [Float] = []
        draws.reserveCapacity(samples * perSample)
        for sample in 0..<samples {
            var stream = SeededGenerator(seed: layerSeed ^ UInt64(keyed.firstSample + sample))
            for _ in 0..<perSample { draws.append(stream.nextUnitFloat()) }
        }
        return draws
    }
}
