import GraftData

/// `Preprocessing` as it is written in a saved model's config.json, so a model is served with
/// exactly the preprocessing it was trained with.
public struct PreprocessingDescription: Codable, Equatable, Sendable {
    public var height: Int
    public var width: Int
    /// "shorter_side_then_center_crop", "stretch", "central_square_then_resize" or "pad"
    /// (letterboxed on black).
    public var resize: String
    /// The shorter side for "shorter_side_then_center_crop".
    public var resizeSide: Int?
    /// The fraction of the shorter side for "central_square_then_resize".
    public var cropFraction: Double?
    public var filter: String
    /// "mean_std" (with mean and std) or "scale_and_shift" (with offset and scale).
    public var normalization: String
    public var mean: [Float]?
    public var std: [Float]?
    public var offset: Float?
    public var scale: Float?
    public var channelOrder: String

    enum CodingKeys: String, CodingKey {
        case height, width, resize, filter, normalization, mean, std, offset, scale
        case resizeSide = "resize_side", cropFraction = "crop_fraction", channelOrder = "channel_order"
    }

    public init(_ p: Preprocessing) {
        height = p.height
        width = p.width
        switch p.resize {
        case .shorterSideThenCenterCrop(let side): resize = "shorter_side_then_center_crop"; resizeSide = side
        case .stretch: resize = "stretch"
        case .pad: resize = "pad"
        case .centralSquareThenResize(let fraction): resize = "central_square_then_resize"; cropFraction = fraction
        }
        filter = p.filter.rawValue
        switch p.normalization {
        case .meanStd(let m, let s): normalization = "mean_std"; mean = m; std = s
        case .scaleAndShift(let o, let s): normalization = "scale_and_shift"; offset = o; scale = s
        }
        channelOrder = p.channelOrder.rawValue
    }

    /// The preprocessing described; `source` names the file for error messages. Sizes must lie
    /// within bounds and every number be finite, so a damaged file cannot ask for an absurd image.
    public func preprocessing(source: String) throws -> Preprocessing {
        func invalid(_ key: String, _ value: String) -> SavedModelError {
            .invalidValue(file: source, key: "preprocessing.\(key)", value: value)
        }
        try checkNumbers(source: source)
        let rule: ResizeRule
        switch resize {
        case "shorter_side_then_center_crop":
            guard let resizeSide, resizeSide > 0 else { throw invalid("resize_side", String(describing: resizeSide)) }
            rule = .shorterSideThenCenterCrop(resizeSide)
        case "stretch": rule = .stretch
        case "pad": rule = .pad
        case "central_square_then_resize":
            guard let cropFraction, cropFraction > 0, cropFraction <= 1 else {
                throw invalid("crop_fraction", String(describing: cropFraction))
            }
            rule = .centralSquareThenResize(fraction: cropFraction)
        default: throw invalid("resize", resize)
        }
        guard let resampleFilter = ResampleFilter(rawValue: filter) else { throw invalid("filter", filter) }
        let norm: Normalization
        switch normalization {
        case "mean_std":
            guard let mean, mean.count == 3 else { throw invalid("mean", String(describing: mean)) }
            guard let std, std.count == 3, std.allSatisfy({ $0 > 0 }) else { throw invalid("std", String(describing: std)) }
            norm = .meanStd(mean: mean, std: std)
        case "scale_and_shift":
            guard let offset else { throw invalid("offset", "nil") }
            guard let scale, scale != 0 else { throw invalid("scale", String(describing: scale)) }
            norm = .scaleAndShift(offset: offset, scale: scale)
        default: throw invalid("normalization", normalization)
        }
        guard let order = ChannelOrder(rawValue: channelOrder) else { throw invalid("channel_order", channelOrder) }
        return Preprocessing(height: height, width: width, resize: rule, filter: resampleFilter, normalization: norm,
                             channelOrder: order)
    }

    /// Sizes within bounds (an input up to `ClassifierOptions.imageSizes`, a resize side up to four
    /// times that) and every normalization constant finite.
    private func checkNumbers(source: String) throws {
        func invalid(_ key: String, _ value: String, _ requirement: String) -> SavedModelError {
            .outOfRange(file: source, key: "preprocessing.\(key)", value: value, requirement: requirement)
        }
        for (key, side) in [("height", height), ("width", width)] + (resizeSide.map { [("resize_side", $0)] } ?? [])
        where !(ClassifierOptions.imageSizes.lowerBound...4 * ClassifierOptions.imageSizes.upperBound).contains(side) {
            throw invalid(key, "\(side)", "between \(ClassifierOptions.imageSizes.lowerBound) and \(4 * ClassifierOptions.imageSizes.upperBound)")
        }
        for (key, values) in [("mean", mean ?? []), ("std", std ?? []), ("offset", offset.map { [$0] } ?? []), ("scale", scale.map { [$0] } ?? [])]
        where values.contains(where: { !$0.isFinite }) {
            throw invalid(key, "\(values)", "finite")
        }
    }
}
