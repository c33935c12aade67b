import GraftCore

/// Crops a random region (a fraction `scale` of the area, aspect ratio in `ratio`) and resizes
/// it to the input size: torchvision's RandomResizedCrop. It replaces the resize rule.
public struct RandomResizedCrop: Sendable, Equatable {
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>

    public init(scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3)) {
        self.scale = scale
        self.ratio = ratio
    }
}

extension RandomResizedCrop {
    /// A crop box for an image of the given size, as torchvision draws it: up to ten tries at a
    /// random area and aspect ratio, then a central crop clamped to the ratio range.
    func box(width: Int, height: Int, generator: inout SeededGenerator) -> CropBox {
        let area = Double(width * height)
        for _ in 0..<10 {
            let target = area * generator.uniform(scale.lowerBound, scale.upperBound)
            let aspect = generator.logUniform(ratio.lowerBound, ratio.upperBound)
            let w = Int((target * aspect).squareRoot().rounded())
            let h = Int((target / aspect).squareRoot().rounded())
            if w > 0, h > 0, w <= width, h <= height {
                let top = generator.index(below: height - h + 1)
                let left = generator.index(below: width - w + 1)
                return CropBox(x: Double(left), y: Double(top), width: Double(w), height: Double(h))
            }
        }
        let imageRatio = Double(width) / Double(height)
        var w = width, h = height
        if imageRatio < ratio.lowerBound {
            h = Int((Double(w) / ratio.lowerBound).rounded())
        } else if imageRatio > ratio.upperBound {
            w = Int((Double(h) * ratio.upperBound).rounded())
        }
        return CropBox(x: Double((width - w) / 2), y: Double((height - h) / 2), width: Double(w), height: Double(h))
    }
}
