import Foundation

/// How training, evaluation and serving fit an image to the input, as a user chooses it:
/// the backbone's own crop, the whole image stretched, or the whole image letterboxed.
public enum ResizeMode: String, Sendable, CaseIterable, Codable {
    /// The backbone's evaluation crop (EfficientNet's central 224/256 square, torchvision's
    /// shorter side to 256 then the central 224); for a backbone that stretches, torchvision's.
    case crop
    /// The whole image resized to the input, aspect ratio ignored (Keras'
    /// `image_dataset_from_directory`, torchvision's `Resize((h, w))`).
    case stretch
    /// The whole image resized to fit, aspect ratio kept, on black (`ResizeRule.pad`).
    case pad
}

extension Preprocessing {
    /// The same preprocessing with the resize rule `mode` names; `crop` keeps a cropping rule.
    public func resizing(_ mode: ResizeMode) -> Preprocessing {
        var copy = self
        switch (mode, resize) {
        case (.crop, .shorterSideThenCenterCrop), (.crop, .centralSquareThenResize): break
        case (.crop, .stretch), (.crop, .pad):
            copy.resize = .shorterSideThenCenterCrop(Int((Double(max(height, width)) * 256 / 224).rounded()))
        case (.stretch, _): copy.resize = .stretch
        case (.pad, _): copy.resize = .pad
        }
        return copy
    }
}

extension ResizeRule {
    /// The rule in a few words, for reports.
    public var summary: String {
        switch self {
        case .shorterSideThenCenterCrop(let side): return "shorter side to \(side), then the central crop"
        case .stretch: return "the whole image, stretched (aspect ratio ignored)"
        case .centralSquareThenResize(let fraction): return "the central square of \(String(format: "%g", fraction)) of the shorter side"
        case .pad: return "the whole image, letterboxed on black (aspect ratio kept)"
        }
    }
}
