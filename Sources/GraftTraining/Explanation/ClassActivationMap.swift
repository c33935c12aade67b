/// Where a classifier looked for one class in one image (Grad-CAM, Selvaraju et al. 2017): a
/// non-negative weight per cell of the backbone's last feature map, scaled so the largest is 1.
public struct ClassActivationMap: Sendable, Equatable {
    /// The feature map's size, (width, height) cells.
    public let width: Int
    public let height: Int
    /// Row-major `height x width` values in [0, 1]; all 0 when no cell speaks for the class.
    public let values: [Float]
    /// The class explained.
    public let classIndex: Int

    public init(width: Int, height: Int, values: [Float], classIndex: Int) {
        precondition(values.count == width * height, "\(values.count) values for a \(width)x\(height) map")
        self.width = width
        self.height = height
        self.values = values
        self.classIndex = classIndex
    }

    /// The cell of the largest value, (x, y); the first such in row-major order.
    public var peak: (x: Int, y: Int) {
        let index = values.indices.max { values[$0] < values[$1] || (values[$0] == values[$1] && $0 > $1) } ?? 0
        return (index % max(1, width), index / max(1, width))
    }

    /// The map at a point of an image of `imageWidth x imageHeight` pixels, bilinearly
    /// interpolated between cell centres (each cell covering an equal share of the image).
    func value(x: Int, y: Int, imageWidth: Int, imageHeight: Int) -> Float {
        let fx = min(max((Float(x) + 0.5) * Float(width) / Float(imageWidth) - 0.5, 0), Float(width - 1))
        let fy = min(max((Float(y) + 0.5) * Float(height) / Float(imageHeight) - 0.5, 0), Float(height - 1))
        let x0 = Int(fx), y0 = Int(fy)
        let x1 = min(x0 + 1, width - 1), y1 = min(y0 + 1, height - 1)
        let ax = fx - Float(x0), ay = fy - Float(y0)
        let top = values[y0 * width + x0] * (1 - ax) + values[y0 * width + x1] * ax
        let bottom = values[y1 * width + x0] * (1 - ax) + values[y1 * width + x1] * ax
        return top * (1 - ay) + bottom * ay
    }
}
