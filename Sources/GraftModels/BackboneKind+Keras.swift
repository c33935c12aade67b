import Foundation
import GraftCheckpoint

/// Keras ships its own builds of some backbones (other names, other layouts, other
/// preprocessing): a Keras weight file given for one of those kinds means Keras' build.
extension BackboneKind {
    /// The kind built as Keras builds this network, when Graft has one.
    public var kerasVariant: BackboneKind? {
        switch self {
        case .vgg16, .vgg16Keras: return .vgg16Keras
        case .resNet50, .resNet50Keras: return .resNet50Keras
        case .mobileNetV2, .mobileNetV2Keras: return .mobileNetV2Keras
        case .efficientNetB0, .efficientNetB0Keras: return .efficientNetB0Keras
        default: return nil
        }
    }

    /// Whether this kind is Keras' build of its network.
    public var isKerasVariant: Bool { kerasVariant == self }

    /// What `--weights` takes for this kind, for messages.
    public var weightsFileDescription: String {
        isKerasVariant ? "Keras' weight file (.h5, .weights.h5 or .keras)" : "a torchvision checkpoint (.pth) or a safetensors file of it"
    }

    /// The kind `weights` are for: this one, or its Keras variant when `weights` is a Keras file
    /// (HDF5 or .keras, told by its first bytes). A Keras file for a kind Keras' build of which
    /// Graft lacks is an error that says which kinds take Keras weights.
    public func variant(forWeights weights: URL?) throws -> BackboneKind {
        guard let weights, KerasWeights.isKerasFile(weights) else { return self }
        if let variant = kerasVariant { return variant }
        throw PretrainedModelError.kerasWeightsUnsupported(self, file: weights.path,
                                                           supported: Self.allCases.filter(\.isKerasVariant))
    }
}
