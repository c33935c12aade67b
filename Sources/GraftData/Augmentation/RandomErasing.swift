import GraftCore

/// Replaces a random rectangle of the normalized sample with noise (Zhong et al.; torchvision's
/// RandomErasing with value="random").
public struct RandomErasing: Sendable, Equatable {
    public var probability: Double
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>

    public init(probability: Double = 0.5, scale: ClosedRange<Double> = 0.02...0.33, ratio: ClosedRange<Double> = 0.3...3.3) {
        self.probability = probability
        self.scale = scale
        self.ratio = ratio
    }
}

extension RandomErasing {
    /// Fills a random rectangle of a normalized (3, height, width) sample with standard normal
    /// noise; up to ten tries to find a rectangle that fits, as torchvision does.
    func apply(to sample: UnsafeMutablePointer<Float>, width: Int, height: Int, generator: inout SeededGenerator) {
        let area = Double(width * height)
        for _ in 0..<10 {
            let target = area * generator.uniform(scale.lowerBound, scale.upperBound)
            let aspect = generator.logUniform(ratio.lowerBound, ratio.upperBound)
            let h = Int((target * aspect).squareRoot().rounded())
            let w = Int((target / aspect).squareRoot().rounded())
            guard w > 0, h > 0, w < width, h < height else { continue }
            let top = generator.index(below: height - h + 1)
            let left = generator.index(below: width - w + 1)
            for c in 0..<3 {
                for y in top..<(top + h) {
                    let row = sample + c * width * height + y * width
                    for x in left..<(left + w) { row[x] = generator.nextNormal() }
                }
            }
            return
        }
    }
}
