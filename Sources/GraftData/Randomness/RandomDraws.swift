import Foundation
import GraftCore

/// The distributions augmentations draw from, on the project's seeded generator.
extension SeededGenerator {
    /// Uniform in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [low, high] on a log scale (aspect ratios: 1/2 as likely as 2).
    mutating func logUniform(_ low: Double, _ high: Double) -> Double {
        exp(uniform(log(low), log(high)))
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool {
        p > 0 && uniform(0, 1) < p
    }

    /// Uniform integer in 0..<n.
    mutating func index(below n: Int) -> Int {
        Int(next() % UInt64(n))
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang's method.
    mutating func gamma(shape: Double) -> Double {
        if shape < 1 {
            return gamma(shape: shape + 1) * pow(max(uniform(0, 1), .leastNormalMagnitude), 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            let x = Double(nextNormal())
            let v = pow(1 + c * x, 3)
            if v <= 0 { continue }
            let u = uniform(0, 1)
            if log(max(u, .leastNormalMagnitude)) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
        }
    }

    /// Beta(alpha, alpha), the MixUp and CutMix mixing weight.
    mutating func symmetricBeta(_ alpha: Double) -> Double {
        let a = gamma(shape: alpha), b = gamma(shape: alpha)
        return a + b > 0 ? a / (a + b) : 0.5
    }

    /// A uniformly random permutation of 0..<n (Fisher-Yates).
    mutating func permutation(_ n: Int) -> [Int] {
        var order = Array(0..<n)
        if n < 2 { return order }
        for i in stride(from: n - 1, to: 0, by: -1) {
            order.swapAt(i, index(below: i + 1))
        }
        return order
    }
}
