import Foundation
import GraftCheckpoint
import GraftCore
import GraftNN

/// The backbones Graft can build, by their command-line names.
public enum BackboneKind: String, CaseIterable, Sendable {
    case efficientNetLite0 = "efficientnet-lite0"
    case efficientNetLite1 = "efficientnet-lite1"
    case efficientNetLite2 = "efficientnet-lite2"
    case mobileNetV2 = "mobilenetv2"
    case resNet50 = "resnet50"
    case vgg16 = "vgg16"

    /// A network of this kind with `classes` outputs and random weights.
    public func make(classes: Int = 1000, seed: UInt64 = 0) -> any Backbone {
        switch self {
        case .efficientNetLite0: return EfficientNetLite(.lite0, classes: classes, seed: seed)
        case .efficientNetLite1: return EfficientNetLite(.lite1, classes: classes, seed: seed)
        case .efficientNetLite2: return EfficientNetLite(.lite2, classes: classes, seed: seed)
        case .mobileNetV2: return MobileNetV2(classes: classes, seed: seed)
        case .resNet50: return ResNet50(classes: classes, seed: seed)
        case .vgg16: return VGG16(classes: classes, seed: seed)
        }
    }

    /// The ImageNet weights Graft can fetch for this kind; nil where none is reachable offline
    /// (ResNet-50 and VGG16 load a checkpoint the user supplies).
    public var pretrainedFile: PackagedFile? {
        switch self {
        case .efficientNetLite0: return PackagedFiles.efficientNetLite0
        case .efficientNetLite1: return PackagedFiles.efficientNetLite1
        case .efficientNetLite2: return PackagedFiles.efficientNetLite2
        case .mobileNetV2: return PackagedFiles.mobileNetV2
        case .resNet50, .vgg16: return nil
        }
    }
}

/// Why a pretrained model could not be built.
public enum PretrainedModelError: Error, CustomStringConvertible {
    case noWeightsAvailable(BackboneKind)

    public var description: String {
        switch self {
        case let .noWeightsAvailable(kind):
            return "no pretrained weights for \(kind.rawValue) can be fetched here; pass a torchvision checkpoint or "
                + "safetensors file with --weights PATH"
        }
    }
}

extension BackboneKind {
    /// The ImageNet model with its pretrained weights, from `weights` or from the cache.
    ///
    /// With `keepClassifier == false` the ImageNet classifier's weights are not loaded (a new head
    /// replaces it), so a checkpoint without them also loads.
    public func pretrained(weights: URL? = nil, cache: WeightsCache = WeightsCache(),
                           keepClassifier: Bool = true) throws -> any Backbone {
        let url: URL
        if let weights {
            url = weights
        } else if let file = pretrainedFile {
            url = try cache.require(file)
        } else {
            throw PretrainedModelError.noWeightsAvailable(self)
        }
        let model = make()
        let checkpoint = try Checkpoint.read(contentsOf: url)
        try checkpoint.load(into: model.stateTensors(), skippingPrefixes: keepClassifier ? [] : model.classifierPrefixes)
        return model
    }
}
