import GraftCore

/// Which mirror images augmentation draws: Keras' `horizontal_flip` and `vertical_flip`, each
/// with probability one half.
public enum FlipDirections: String, CaseIterable, Sendable {
    case none, horizontal, vertical, both
}

/// Augmentation by name and value, on top of a preset: Keras' `ImageDataGenerator(rotation_range=,
/// width_shift_range=, height_shift_range=, zoom_range=, horizontal_flip=, vertical_flip=,
/// fill_mode=)`, torchvision's `ColorJitter(brightness=, contrast=)` and `RandomErasing(p=)`, and
/// timm's MixUp and CutMix alphas. nil leaves the preset's value; a given value replaces it.
public struct AugmentationOverrides: Equatable, Sendable {
    /// Degrees: each image is rotated by an angle drawn uniformly from [-r, r] (`rotation_range`).
    public var rotationDegrees: Double?
    /// Fraction of the width (and of the height): each image moves by a uniform draw from
    /// [-s, s] times its width across and times its height down (`width_shift_range` and
    /// `height_shift_range`, both s).
    public var shift: Double?
    /// z: the image is scaled by factors drawn from [1 - z, 1 + z], one across and one down (`zoom_range`).
    public var zoom: Double?
    /// What fills the border an affine warp uncovers; nil: Keras' `nearest` once any affine knob
    /// is given, else the preset's own (reflect).
    public var fill: BorderFill?
    public var flip: FlipDirections?
    /// b: pixel values multiplied by a factor drawn from [1 - b, 1 + b].
    public var brightness: Double?
    /// c: each image blended with its mean grey by a factor drawn from [1 - c, 1 + c].
    public var contrast: Double?
    /// Probability that a rectangle of 2% to 33% of the image is replaced by noise.
    public var erasing: Double?
    /// MixUp's Beta(alpha, alpha); 0 turns it off.
    public var mixUpAlpha: Double?
    /// CutMix's Beta(alpha, alpha); 0 turns it off.
    public var cutMixAlpha: Double?

    public init(rotationDegrees: Double? = nil, shift: Double? = nil, zoom: Double? = nil, fill: BorderFill? = nil,
                flip: FlipDirections? = nil, brightness: Double? = nil, contrast: Double? = nil, erasing: Double? = nil,
                mixUpAlpha: Double? = nil, cutMixAlpha: Double? = nil) {
        self.rotationDegrees = rotationDegrees
        self.shift = shift
        self.zoom = zoom
        self.fill = fill
        self.flip = flip
        self.brightness = brightness
        self.contrast = contrast
        self.erasing = erasing
        self.mixUpAlpha = mixUpAlpha
        self.cutMixAlpha = cutMixAlpha
    }

    public var isEmpty: Bool { self == AugmentationOverrides() }

    /// Throws `InvalidSetting` naming the first value out of range.
    public func validate() throws {
        if let rotationDegrees { try checkSetting("rotationDegrees", rotationDegrees, in: .closed(0, 180)) }
        if let shift { try checkSetting("shift", shift, in: .from(0, below: 1)) }
        if let zoom { try checkSetting("zoom", zoom, in: .from(0, below: 1)) }
        if let brightness { try checkSetting("brightness", brightness, in: .closed(0, 1)) }
        if let contrast { try checkSetting("contrast", contrast, in: .closed(0, 1)) }
        if let erasing { try checkSetting("erasing", erasing, in: .closed(0, 1)) }
        if let mixUpAlpha { try checkSetting("mixUpAlpha", mixUpAlpha, in: .closed(0, 100)) }
        if let cutMixAlpha { try checkSetting("cutMixAlpha", cutMixAlpha, in: .closed(0, 100)) }
    }

    /// `preset` with each given value in place of its own. An affine knob makes the warp apply
    /// to every image (as ImageDataGenerator does) rather than the preset's share of them; a
    /// transform whose every magnitude ends at 0 is dropped.
    public func applied(to preset: Augmentation) -> Augmentation {
        var result = preset
        if rotationDegrees != nil || shift != nil || zoom != nil {
            var affine = preset.affine ?? AffineJitter()
            affine.probability = 1
            if let rotationDegrees { affine.rotationDegrees = rotationDegrees }
            if let shift { affine.shift = shift }
            if let zoom { affine.zoom = zoom }
            affine.fill = fill ?? .nearest
            result.affine = affine.isIdentity ? nil : affine
        } else if let fill {
            result.affine?.fill = fill
        }
        if let flip {
            result.horizontalFlip = flip == .horizontal || flip == .both ? 0.5 : 0
            result.verticalFlip = flip == .vertical || flip == .both ? 0.5 : 0
        }
        if brightness != nil || contrast != nil {
            var color = preset.color ?? ColorJitter()
            if let brightness { color.brightness = brightness }
            if let contrast { color.contrast = contrast }
            result.color = color.brightness == 0 && color.contrast == 0 && color.saturation == 0 && color.hue == 0 ? nil : color
        }
        if let erasing {
            var erase = preset.erasing ?? RandomErasing()
            erase.probability = erasing
            result.erasing = erasing > 0 ? erase : nil
        }
        if mixUpAlpha != nil || cutMixAlpha != nil {
            var mixing = preset.mixing ?? BatchMixing(probability: 1, mixUpAlpha: nil, cutMixAlpha: nil)
            if let mixUpAlpha { mixing.mixUpAlpha = mixUpAlpha > 0 ? mixUpAlpha : nil }
            if let cutMixAlpha { mixing.cutMixAlpha = cutMixAlpha > 0 ? cutMixAlpha : nil }
            result.mixing = mixing.mixUpAlpha == nil && mixing.cutMixAlpha == nil ? nil : mixing
        }
        return result
    }
}
