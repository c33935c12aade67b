/// Training-time augmentation: each transform has a probability and a magnitude, and all draw
/// from one seeded generator per sample. nil (or probability 0) turns a transform off.
public struct Augmentation: Sendable, Equatable {
    public var randomResizedCrop: RandomResizedCrop?
    /// Probability of mirroring left-right.
    public var horizontalFlip: Double
    /// Probability of mirroring top-bottom (for images without an "up": microscopy, satellites).
    public var verticalFlip: Double
    public var affine: AffineJitter?
    public var color: ColorJitter?
    public var erasing: RandomErasing?
    /// MixUp / CutMix, applied by the loader to whole batches.
    public var mixing: BatchMixing?

    public init(randomResizedCrop: RandomResizedCrop? = nil, horizontalFlip: Double = 0, verticalFlip: Double = 0,
                affine: AffineJitter? = nil, color: ColorJitter? = nil, erasing: RandomErasing? = nil,
                mixing: BatchMixing? = nil) {
        self.randomResizedCrop = randomResizedCrop
        self.horizontalFlip = horizontalFlip
        self.verticalFlip = verticalFlip
        self.affine = affine
        self.color = color
        self.erasing = erasing
        self.mixing = mixing
    }

    /// No augmentation: training samples look like evaluation samples.
    public static let none = Augmentation()

    /// The Keras tutorials' set: horizontal flips, a mild random crop and small rotations.
    public static let light = Augmentation(
        randomResizedCrop: RandomResizedCrop(scale: 0.8...1),
        horizontalFlip: 0.5,
        affine: AffineJitter(probability: 0.5, rotationDegrees: 10, zoom: 0.1))

    /// torchvision's ImageNet training recipe plus affine jitter, colour jitter and random erasing.
    public static let strong = Augmentation(
        randomResizedCrop: RandomResizedCrop(scale: 0.08...1),
        horizontalFlip: 0.5,
        affine: AffineJitter(probability: 0.5, rotationDegrees: 15, shift: 0.1, zoom: 0.1, shearDegrees: 10),
        color: ColorJitter(probability: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1),
        erasing: RandomErasing(probability: 0.25))

    public static let presetNames = AugmentationPreset.allCases.map(\.rawValue)

    /// The preset called `name` (none, light, strong, in any case), or nil.
    public static func preset(named name: String) -> Augmentation? {
        AugmentationPreset(rawValue: name.lowercased())?.augmentation
    }

    var isIdentity: Bool {
        randomResizedCrop == nil && horizontalFlip <= 0 && verticalFlip <= 0 && affine == nil && color == nil
            && erasing == nil
    }
}
