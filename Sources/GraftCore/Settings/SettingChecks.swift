/// The one way every options type checks its numbers: a value outside its bounds, or a real
/// number that is not finite, throws `InvalidSetting` before any work starts. Upper bounds are
/// part of it: a thread count or an image size far beyond sense would otherwise fail late and
/// obscurely (inside OpenMP, or in an allocation after the run has started).

/// Throws unless `value` lies in `bounds`.
public func checkSetting(_ name: String, _ value: Int, in bounds: ClosedRange<Int>) throws {
    guard bounds.contains(value) else {
        throw InvalidSetting(name: name, value: "\(value)",
                             requirement: bounds.upperBound == .max ? "at least \(bounds.lowerBound)"
                                 : "between \(bounds.lowerBound) and \(bounds.upperBound)")
    }
}

/// Where a real-valued setting may lie; `[0, 1)` style, each end open or closed.
public struct RealBounds: Sendable, CustomStringConvertible {
    public let lower: Double
    public let upper: Double
    public let lowerIncluded: Bool
    public let upperIncluded: Bool

    /// [lower, upper]
    public static func closed(_ lower: Double, _ upper: Double) -> RealBounds {
        RealBounds(lower: lower, upper: upper, lowerIncluded: true, upperIncluded: true)
    }

    /// (lower, upper]: a positive quantity with a sensible ceiling.
    public static func above(_ lower: Double, upTo upper: Double) -> RealBounds {
        RealBounds(lower: lower, upper: upper, lowerIncluded: false, upperIncluded: true)
    }

    /// [lower, upper): a fraction that must leave something.
    public static func from(_ lower: Double, below upper: Double) -> RealBounds {
        RealBounds(lower: lower, upper: upper, lowerIncluded: true, upperIncluded: false)
    }

    /// (lower, upper): a probability that must leave room on both sides.
    public static func open(_ lower: Double, _ upper: Double) -> RealBounds {
        RealBounds(lower: lower, upper: upper, lowerIncluded: false, upperIncluded: false)
    }

    public func contains(_ x: Double) -> Bool {
        (lowerIncluded ? x >= lower : x > lower) && (upperIncluded ? x <= upper : x < upper)
    }

    public var description: String {
        "a finite number in \(lowerIncluded ? "[" : "(")\(format(lower)), \(format(upper))\(upperIncluded ? "]" : ")")"
    }

    private func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
    }
}

/// Throws unless `value` is finite and lies in `bounds` (NaN and infinities never pass).
public func checkSetting<F: BinaryFloatingPoint>(_ name: String, _ value: F, in bounds: RealBounds) throws {
    let x = Double(value)
    guard x.isFinite, bounds.contains(x) else {
        throw InvalidSetting(name: name, value: "\(value)", requirement: bounds.description)
    }
}
