import GraftCore

/// A seed for one purpose of one epoch of one stage, so every source of randomness is fixed by
/// the run's seed and where the run is, and a resumed run draws exactly what the original would.
func derivedSeed(_ seed: UInt64, _ parts: UInt64...) -> UInt64 {
    var generator = SeededGenerator(seed: seed)
    for part in parts { generator = SeededGenerator(seed: generator.next() ^ part) }
    return generator.next()
}

enum SeedPurpose: UInt64 {
    case shuffle = 1, dropout = 2, rangeTest = 3, labelIssues = 4
}
