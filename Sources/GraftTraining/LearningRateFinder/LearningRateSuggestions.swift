import Foundation

/// Rates read off a range test's smoothed loss curve, by the rules fastai's `lr_find` offers.
/// Like fastai, each rule ignores the first tenth of the sweep (the loss has not started to
/// move) and its last five steps (where it takes off).
public struct LearningRateSuggestions: Sendable, Equatable, Codable {
    /// The middle of the longest run of falling loss (fastai's default, "valley"): far enough
    /// down the slope to learn fast, far enough from the minimum to stay stable.
    public let valley: Double
    /// Where the loss falls fastest against the logarithm of the rate ("steep").
    public let steepest: Double
    /// A tenth of the rate at the lowest loss ("minimum"): the classic rule of thumb.
    public let minimumOverTen: Double

    /// The one to use: the valley.
    public var suggested: Double { valley }

    /// nil when the sweep is too short to read (fewer than 5 steps left after trimming).
    public init?(learningRates: [Double], smoothedLosses: [Double]) {
        let n = min(learningRates.count, smoothedLosses.count)
        let kept = (n / 10)..<max(n / 10, n - 5)
        guard kept.count >= 5 else { return nil }
        let rates = Array(learningRates[kept]), losses = Array(smoothedLosses[kept])

        let lowest = losses.indices.min { losses[$0] < losses[$1] }!
        minimumOverTen = rates[lowest] / 10

        let slopes: [Double] = (0..<(rates.count - 1)).map { i in
            let rise = losses[i + 1] - losses[i], run = log(rates[i + 1]) - log(rates[i])
            return rise / run
        }
        steepest = rates[slopes.indices.min { slopes[$0] < slopes[$1] }!]

        valley = rates[Self.middleOfLongestDecrease(losses)]
    }

    /// The index halfway along the longest strictly decreasing subsequence of `values` (O(n²); a
    /// sweep has a few hundred points). As fastai does, the subsequence is taken to span as many
    /// steps back from its last element as it has elements: on a noisy plateau the subsequence
    /// skips steps, and its true first element would sit far too early.
    static func middleOfLongestDecrease(_ values: [Double]) -> Int {
        var length = [Int](repeating: 1, count: values.count)
        var best = 0
        for i in values.indices {
            for j in 0..<i where values[j] > values[i] { length[i] = max(length[i], length[j] + 1) }
            if length[i] > length[best] { best = i }
        }
        let first = best - length[best] + 1
        return first + (best - first) / 2
    }
}
