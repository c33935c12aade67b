/// A rectangle of source coordinates (in pixels, edges not centres), possibly fractional, that a
/// resample maps onto the whole output.
public struct CropBox: Sendable, Equatable {
    public var x: Double, y: Double, width: Double, height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x; self.y = y; self.width = width; self.height = height
    }

    /// The whole of an image.
    public init(covering width: Int, _ height: Int) {
        self.init(x: 0, y: 0, width: Double(width), height: Double(height))
    }
}
