import Foundation

/// Axis ticks at "nice" steps, 1, 2 or 5 times a power of ten (Heckbert's nice numbers), so an
/// axis reads 0, 0.2, 0.4 ... rather than 0, 0.33, 0.66.
struct AxisTicks: Equatable {
    let step: Double
    /// From the first tick at or below the data to the first at or above it.
    let values: [Double]

    var lower: Double { values.first! }
    var upper: Double { values.last! }

    /// At most `maximumCount` ticks (at least 2) covering `low...high`.
    init(covering low: Double, _ high: Double, maximumCount: Int = 6) {
        precondition(maximumCount >= 2, "an axis needs at least two ticks")
        let (low, high) = low.isFinite && high.isFinite ? (min(low, high), max(low, high)) : (0, 1)
        let span = high > low ? high - low : max(abs(low), 1)
        var step = Self.niceStep(atLeast: span / Double(maximumCount - 1))
        var first = (low / step).rounded(.down), last = (high / step).rounded(.up)
        if last == first { last += 1 }
        // Rounding both ends outwards can need one tick more than asked: take the next step.
        while last - first + 1 > Double(maximumCount) {
            step = Self.niceStep(atLeast: step * 1.000001)
            first = (low / step).rounded(.down)
            last = max((high / step).rounded(.up), first + 1)
        }
        self.step = step
        values = (0...Int(last - first)).map { (first + Double($0)) * step }
    }

    /// The smallest 1, 2 or 5 times a power of ten that is at least `raw`.
    static func niceStep(atLeast raw: Double) -> Double {
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw * (1 - 1e-12) { return factor * magnitude }
        return 10 * magnitude
    }

    /// A tick's label with as many decimals as the step needs ("0.2", "5", "0.05").
    func label(_ value: Double) -> String {
        let decimals = max(0, Int(-(log10(step)).rounded(.down)))
        let text = String(format: "%.\(decimals)f", value)
        return text.hasPrefix("-") && Double(text) == 0 ? String(text.dropFirst()) : text
    }
}
