import GraftCore

/// Random test inputs drawn from the project's seeded generator, so every run sees the same data.
extension SeededGenerator {
    mutating func normals(_ count: Int, mean: Float = 0, std: Float = 1) -> [Float] {
        (0..<count).map { _ in mean + std * nextNormal() }
    }

    mutating func uniforms(_ count: Int, low: Float, high: Float) -> [Float] {
        (0..<count).map { _ in low + (high - low) * nextUnitFloat() }
    }

    /// `count` values in random order that differ pairwise by at least `gap`: max pooling has
    /// no near-ties, so its finite differences never see the winner change.
    mutating func distinctValues(_ count: Int, gap: Float = 0.03) -> [Float] {
        let ranks = Array(0..<count).shuffled(using: &self)
        let jitter = Float(0.25) * gap
        return ranks.map { rank in Float(rank - count / 2) * gap + jitter * nextUnitFloat() }
    }
}

/// Moves every value that lies within `margin` of a kink out to `2 * margin` on its own side, so
/// that central finite differences with a much smaller step stay on one smooth piece.
func awayFromKinks(_ values: [Float], kinks: [Float], margin: Float = 1e-2) -> [Float] {
    values.map { v in
        var v = v
        for k in kinks where abs(v - k) < margin {
            v = k + (v >= k ? 2 * margin : -2 * margin)
        }
        return v
    }
}

/// Values whose magnitude is at least `minimum` (keeps divisions by the input well defined).
func awayFromZero(_ values: [Float], minimum: Float = 0.1) -> [Float] {
    values.map { abs($0) >= minimum ? $0 : ($0 >= 0 ? minimum : -minimum) + $0 }
}
