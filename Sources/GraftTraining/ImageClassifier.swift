import GraftCore
import GraftData
import GraftModels
import GraftNN

/// A pretrained backbone with a new head for the user's classes.
///
/// Keys are "backbone.<the backbone's own checkpoint key>" and "head.<i>.weight", so a saved
/// classifier is one safetensors file that reloads by a strict name-and-shape match.
public final class ImageClassifier: Module {
    public let backbone: any Backbone
    public let head: Sequential
    public let backboneKind: BackboneKind
    /// The head's layout, fixed when it was built; only a multi-label head's threshold changes
    /// afterwards (`setThreshold(_:)`).
    public internal(set) var headConfiguration: HeadConfiguration
    public let classNames: [String]
    /// How images are sized and normalized: the backbone's own rule at this classifier's input size.
    public let preprocessing: Preprocessing
    /// The width of what the head receives: the backbone's channels, times the feature map's
    /// height and width for a `flatten` head.
    public let headInputWidth: Int
    /// Whether BatchNorm layers in unfrozen backbone blocks update their statistics in training.
    public var batchNormMode: BatchNormMode = .inference {
        didSet { applyBatchNormMode() }
    }
    /// The temperature predictions divide the logits by, and how it was fitted; nil: T = 1. Set by
    /// a training run after training, saved in config.json; training itself never reads it.
    public var calibration: Calibration?

    /// - Parameters:
    ///   - backbone: built with `BackboneKind.make` or loaded with pretrained weights; its ImageNet
    ///     classifier is never used (only `features`) and stays frozen.
    ///   - imageSize: the square input size; nil keeps the backbone's pretrained size.
    ///   - resize: how images fit the input; nil keeps the backbone's rule.
    ///   - interpolation: the filter that resizes them; nil keeps the backbone's.
    public convenience init(backbone: any Backbone, kind: BackboneKind, classNames: [String],
                            head configuration: HeadConfiguration = HeadConfiguration(), imageSize: Int? = nil,
                            resize: ResizeMode? = nil, interpolation: ResampleFilter? = nil, seed: UInt64 = 0) {
        var preprocessing = imageSize.map { backbone.preprocessing.resized(to: $0) } ?? backbone.preprocessing
        if let resize { preprocessing = preprocessing.resizing(resize) }
        if let interpolation { preprocessing.filter = interpolation }
        self.init(backbone: backbone, kind: kind, classNames: classNames, head: configuration,
                  preprocessing: preprocessing, seed: seed)
    }

    public init(backbone: any Backbone, kind: BackboneKind, classNames: [String], head configuration: HeadConfiguration,
                preprocessing: Preprocessing, seed: UInt64 = 0) {
        precondition(!classNames.isEmpty, "a classifier needs at least one class")
        self.backbone = backbone
        backboneKind = kind
        headConfiguration = configuration
        self.classNames = classNames
        self.preprocessing = preprocessing
        var generator = SeededGenerator(seed: seed)
        let map = backbone.featureMapSize(height: preprocessing.height, width: preprocessing.width)
        headInputWidth = configuration.pooling.width(channels: backbone.featureWidth, height: map.height, width: map.width)
        head = configuration.makeHead(featureWidth: headInputWidth, classes: classNames.count, generator: &generator)
        super.init()
        registerChild("backbone", backbone)
        registerChild("head", head)
        freezeBackbone()
        applyBatchNormMode()
    }

    /// The head's input: pooled (or flattened) backbone features (N, headInputWidth).
    public func features(_ images: Tensor, context: ForwardContext) -> Tensor {
        // The average goes through the backbone's own `features`, exactly as before pooling was a choice.
        if headConfiguration.pooling == .avg { return backbone.features(images, context: context) }
        return headConfiguration.pooling(backbone.featureMap(images, context: context))
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        head(features(x, context: context), context: context)
    }

    /// Class scores (N, classes) for a batch, with no gradients and no randomness: the network's
    /// own, before the calibration's temperature (see `calibratedLogits(_:)`).
    public func logits(_ images: Tensor) -> Tensor {
        GradMode.withoutGradients { self(images, context: .inference) }
    }
}

extension Preprocessing {
    /// The same rule at a square `size`; a resize-then-crop rule keeps its crop ratio (256/224).
    public func resized(to size: Int) -> Preprocessing {
        var copy = self
        copy.height = size
        copy.width = size
        if case .shorterSideThenCenterCrop(let side) = resize {
            let ratio = Double(side) / Double(max(height, width))
            copy.resize = .shorterSideThenCenterCrop(Int((Double(size) * ratio).rounded()))
        }
        return copy
    }
}
