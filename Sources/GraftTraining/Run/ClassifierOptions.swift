import Foundation
import GraftCore
import GraftData
import GraftModels

/// What classifier a run trains: the backbone and its starting weights, the input size and the
/// head. `makeClassifier` builds it for a data set's classes.
public struct ClassifierOptions: Sendable {
    public var backbone: BackboneKind = .efficientNetLite0
    /// A checkpoint to start from instead of the cached pretrained weights.
    public var weights: URL?
    /// Start from random weights (to compare with transfer learning, or to train from scratch).
    public var randomInitialization = false
    /// The square input size; nil keeps the backbone's pretrained size.
    public var imageSize: Int?
    /// How images are fitted to the input in training and wherever the saved model goes
    /// (evaluate, predict, serve, export). The whole image stretched by default, as Keras'
    /// `image_dataset_from_directory` does: the backbone's evaluation crop cuts an eighth off each
    /// side, which costs accuracy where the subject fills the frame (docs/accuracy.md).
    public var resize: ResizeMode = .stretch
    /// The resampling filter of that resize (Keras' `interpolation`, Pillow's `resample`).
    /// Bilinear by default, as Keras and torchvision resize; EfficientNet-Lite's reference
    /// preprocessing is bicubic, which enlarges small images with ringing at their edges and
    /// measured a point lower on Fashion-MNIST (docs/accuracy.md).
    public var interpolation: ResampleFilter = .bilinear
    public var head = HeadConfiguration()

    /// Past these an input or a layer is a typo that would fail in an allocation.
    public static let imageSizes = 16...1024
    public static let maximumHiddenUnits = 65_536
    /// The most weights the head's first dense layer may have (a `flatten` head at a large image
    /// size reaches it quickly): 2^28, a gigabyte of floats, 2.6 times Keras' VGG16 `fc1`.
    public static let maximumFirstLayerWeights = 1 << 28

    public init() {}

    /// Throws `InvalidSetting` naming the first setting out of range.
    public func validate() throws {
        if let imageSize { try checkSetting("imageSize", imageSize, in: Self.imageSizes) }
        for width in head.hiddenUnits { try checkSetting("hiddenUnits", width, in: 1...Self.maximumHiddenUnits) }
        try checkSetting("dropout", head.dropout, in: .from(0, below: 1))
        try checkSetting("threshold", head.threshold, in: .open(0, 1))
        let side = imageSize ?? backbone.pretrainedImageSize
        if side < backbone.minimumImageSize {
            throw InvalidSetting(name: "imageSize", value: String(side),
                                 requirement: "at least \(backbone.minimumImageSize) for \(backbone.rawValue) (its feature map would be empty)")
        }
        if head.pooling == .flatten { try checkFlattenedWidth(side: side, outputs: head.hiddenUnits.first ?? 1) }
        if randomInitialization && weights != nil {
            throw InvalidSetting(name: "weights", value: weights!.path, requirement: "absent when randomInitialization is set")
        }
    }

    /// A `flatten` head's first dense layer grows with the square of the image size: refused,
    /// with the numbers, before it is allocated.
    private func checkFlattenedWidth(side: Int, outputs: Int) throws {
        let map = backbone.featureMapSize(height: side, width: side)
        let inputs = HeadPooling.flatten.width(channels: backbone.featureWidth, height: map.height, width: map.width)
        guard inputs.multipliedReportingOverflow(by: outputs).partialValue <= Self.maximumFirstLayerWeights else {
            throw InvalidSetting(name: "head.pooling", value: "flatten",
                                 requirement: "a head whose first dense layer has at most \(Self.maximumFirstLayerWeights) parameters; "
                                    + "at image size \(side) \(backbone.rawValue)'s \(backbone.featureWidth)×\(map.height)×\(map.width) map "
                                    + "flattens to \(inputs) inputs, times \(outputs) units (use avg or max pooling, a smaller image size or fewer hidden units)")
        }
    }

    /// Throws `InvalidSetting` when the head cannot serve `dataset`'s classes: a multi-label
    /// head needs multi-label data and multi-label data a multi-label head.
    public func validate(for dataset: ImageDataset) throws {
        try validate(classCount: dataset.classNames.count)
        try head.output.check(fits: dataset)
    }

    /// These options with the head that `dataset` calls for where the output was left at its
    /// default: multi-label data gets one sigmoid per class instead of the softmax.
    public func adapted(to dataset: ImageDataset) -> ClassifierOptions {
        var adapted = self
        if dataset.isMultiLabel && head.output == .softmax { adapted.head.output = .multiLabel }
        return adapted
    }

    /// Throws `InvalidSetting` when the head cannot serve `classCount` classes.
    public func validate(classCount: Int) throws {
        try validate()
        if head.pooling == .flatten && head.hiddenUnits.isEmpty {
            try checkFlattenedWidth(side: imageSize ?? backbone.pretrainedImageSize, outputs: head.output.units(classes: classCount))
        }
        if head.output == .sigmoid && classCount != 2 {
            throw InvalidSetting(name: "head.output", value: "sigmoid", requirement: "softmax for \(classCount) classes (sigmoid needs exactly two)")
        }
    }

    /// Notes for the user about choices that work but rarely do what was meant.
    public func notes(batchNorm: BatchNormMode) -> [String] {
        guard randomInitialization && batchNorm == .inference else { return [] }
        return ["note: a randomly initialized backbone whose BatchNorm layers run in inference mode (statistics 0 and 1) "
                + "gives nearly constant features; to train from scratch, unfreeze all blocks and let BatchNorm train "
                + "(graft train --unfreeze all --bn train)"]
    }

    /// Where the starting weights come from, for the report.
    public var weightsDescription: String {
        randomInitialization ? "random initialization" : (weights.map { "from \($0.path)" } ?? "pretrained on ImageNet (cached)")
    }

    /// The backbone with its starting weights and a new head for `classNames`.
    public func makeClassifier(classNames: [String], seed: UInt64) throws -> ImageClassifier {
        try validate(classCount: classNames.count)
        // Keras weights make Keras' build of the backbone, and the saved model says so.
        let kind = try backbone.variant(forWeights: weights)
        let features = randomInitialization ? kind.makeFeatureExtractor(seed: seed)
            : try kind.pretrained(weights: weights, keepClassifier: false)
        return ImageClassifier(backbone: features, kind: kind, classNames: classNames, head: head, imageSize: imageSize, resize: resize,
                               interpolation: interpolation, seed: seed)
    }
}
