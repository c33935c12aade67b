/// Views of each image whose predictions are averaged at evaluation and prediction time
/// (test-time augmentation): the evaluation view's mirror, and crops at the corners as
/// torchvision's `TenCrop` cuts them.
public enum TestTimeAugmentation: String, Sendable, CaseIterable {
    /// The evaluation view and its mirror image: 2 views.
    case flip
    /// The evaluation view and the four corner crops, each also mirrored: 10 views.
    case tenCrop = "ten-crop"

    /// The plain evaluation view first.
    public var views: [TestTimeView] {
        switch self {
        case .flip:
            return [TestTimeView(position: .center, mirrored: false), TestTimeView(position: .center, mirrored: true)]
        case .tenCrop:
            return [false, true].flatMap { mirrored in TestTimeView.Position.allCases.map { TestTimeView(position: $0, mirrored: mirrored) } }
        }
    }
}

/// One view of an image for test-time augmentation: where the crop sits and whether it is mirrored.
public struct TestTimeView: Sendable, Equatable, CustomStringConvertible {
    public enum Position: String, Sendable, CaseIterable {
        /// The preprocessing's own crop.
        case center
        case topLeft = "top-left", topRight = "top-right", bottomLeft = "bottom-left", bottomRight = "bottom-right"

        /// How far the crop moves from the top-left corner of the room it has (`free` pixels
        /// across and down): all the way to an edge, or centred.
        func offset(freeX: Double, freeY: Double) -> (x: Double, y: Double) {
            switch self {
            case .center: return (freeX / 2, freeY / 2)
            case .topLeft: return (0, 0)
            case .topRight: return (freeX, 0)
            case .bottomLeft: return (0, freeY)
            case .bottomRight: return (freeX, freeY)
            }
        }
    }

    public let position: Position
    public let mirrored: Bool

    public init(position: Position, mirrored: Bool) {
        self.position = position
        self.mirrored = mirrored
    }

    public var description: String { position.rawValue + (mirrored ? ", mirrored" : "") }
}
