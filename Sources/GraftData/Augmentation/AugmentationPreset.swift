/// The augmentation presets by name, for options that choose one ("none", "light", "strong").
public enum AugmentationPreset: String, CaseIterable, Sendable {
    case none, light, strong

    public var augmentation: Augmentation {
        switch self {
        case .none: return Augmentation.none
        case .light: return .light
        case .strong: return .strong
        }
    }
}
