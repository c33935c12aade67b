import GraftCore
import GraftData
import GraftNN

/// DenseNet-121 as torchvision builds it (`densenet121`): growth 32, bottleneck 4 x 32 wide, dense
/// blocks of 6, 12, 24 and 16 layers from 64 initial features, transitions that halve the channels
/// and the image. Keys are torchvision's (`features.conv0.weight`,
/// `features.denseblock1.denselayer1.norm1.weight`, `features.transition1.conv.weight`,
/// `features.norm5.weight`, `classifier.weight`); the official checkpoint's older names
/// (`denselayer1.norm.1.weight`) are renamed on load (`DenseNet.checkpointKey`).
///
/// Each layer reads the concatenation of everything before it in its block. The pieces are kept
/// as they come and joined once per layer, so an inference pass holds one concatenation at a time
/// (the block's width, not the sum over its layers); the copies themselves grow with the square of
/// the layer count, which at DenseNet-121's sizes costs less than the layers' own 1x1 convolutions.
public final class DenseNet: Module, Backbone {
    static let blockSizes = [6, 12, 24, 16]
    static let growth = 32, bottleneck = 4, initialFeatures = 64
    public static let featureWidth = 1024

    public var architecture: String { BackboneKind.denseNet121.rawValue }
    public var featureWidth: Int { Self.featureWidth }

    private let conv0: Conv2d, norm0: BatchNorm2d
    private let blocks: [[DenseLayer]]
    private let transitions: [Transition]
    private let norm5: BatchNorm2d
    private let classifier: Linear

    public init(classes: Int = 1000, seed: UInt64 = 0) {
        var g = SeededGenerator(seed: seed)
        conv0 = Conv2d(inChannels: 3, outChannels: Self.initialFeatures, kernelSize: (7, 7), stride: (2, 2),
                       padding: .symmetric(height: 3, width: 3), bias: false, generator: &g)
        norm0 = BatchNorm2d(features: Self.initialFeatures)
        var channels = Self.initialFeatures
        var blocks: [[DenseLayer]] = [], transitions: [Transition] = []
        for (index, size) in Self.blockSizes.enumerated() {
            blocks.append((0..<size).map { j in
                DenseLayer(inChannels: channels + j * Self.growth, width: Self.bottleneck * Self.growth, growth: Self.growth,
                           generator: &g)
            })
            channels += size * Self.growth
            if index < Self.blockSizes.count - 1 {
                transitions.append(Transition(channels, channels / 2, generator: &g))
                channels /= 2
            }
        }
        precondition(channels == Self.featureWidth)
        self.blocks = blocks
        self.transitions = transitions
        norm5 = BatchNorm2d(features: channels)
        classifier = Linear(inFeatures: channels, outFeatures: classes, generator: &g)
        super.init()
        let features = registerChild("features", Module())
        features.registerChild("conv0", conv0)
        features.registerChild("norm0", norm0)
        for (index, layers) in blocks.enumerated() {
            let block = features.registerChild("denseblock\(index + 1)", Module())
            for (j, layer) in layers.enumerated() { block.registerChild("denselayer\(j + 1)", layer) }
            if index < transitions.count { features.registerChild("transition\(index + 1)", transitions[index]) }
        }
        features.registerChild("norm5", norm5)
        registerChild("classifier", classifier)
    }

    /// The stem (conv0, norm0), then one group per dense layer; a transition goes with the first
    /// layer after it, and norm5 with the last layer.
    public var blockGroups: [BlockGroup] {
        var groups = [BlockGroup(name: "stem", prefixes: ["features.conv0", "features.norm0"])]
        for (index, layers) in blocks.enumerated() {
            for j in layers.indices {
                var prefixes = ["features.denseblock\(index + 1).denselayer\(j + 1)"]
                if index > 0 && j == 0 { prefixes.insert("features.transition\(index)", at: 0) }
                if index == blocks.count - 1 && j == layers.count - 1 { prefixes.append("features.norm5") }
                groups.append(BlockGroup(name: "blocks.\(groups.count - 1)", prefixes: prefixes))
            }
        }
        return groups
    }

    /// DenseNet121_Weights.IMAGENET1K_V1.transforms: bilinear resize to 256, center crop 224,
    /// ImageNet mean and std.
    public var preprocessing: Preprocessing { .imageNet }

    public var classifierPrefixes: [String] { ["classifier."] }

    /// The padded stride-2 stem and max pooling round up; the three transitions' 2x2 average
    /// poolings round down.
    public func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int) {
        BackboneKind.denseNet121.featureMapSize(height: height, width: width)
    }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = conv0.forward(x, normalizedBy: norm0, activation: .relu, context: context)
        y = maxPool2d(y, kernel: (3, 3), stride: (2, 2), padding: .symmetric(height: 1, width: 1))
        for (index, layers) in blocks.enumerated() {
            var pieces = [y]
            for layer in layers { pieces.append(layer(concatChannels(pieces), context: context)) }
            y = concatChannels(pieces)
            if index < transitions.count { y = transitions[index](y, context: context) }
        }
        return norm5.forward(y, activation: .relu, context: context)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(features(x, context: context), context: context)
    }

    /// The name torchvision gives a key of the official checkpoint, which was saved before the
    /// layers' names lost their dots: "denselayer1.norm.1.weight" is "denselayer1.norm1.weight"
    /// (torchvision renames the same way in `_load_state_dict`). Other keys pass unchanged.
    public static func checkpointKey(_ key: String) -> String {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false)
        let n = parts.count
        guard n >= 4 else { return key }
        let (layer, name, index, tensor) = (parts[n - 4], parts[n - 3], parts[n - 2], parts[n - 1])
        let number = layer.dropFirst("denselayer".count)
        guard layer.hasPrefix("denselayer"), !number.isEmpty, number.allSatisfy(\.isNumber),
              ["norm", "relu", "conv"].contains(name), ["1", "2"].contains(index),
              ["weight", "bias", "running_mean", "running_var"].contains(tensor) else { return key }
        return (parts[..<(n - 3)] + [name + index, tensor]).joined(separator: ".")
    }
}

/// norm1 -> ReLU -> conv1 (1x1 to the bottleneck width) -> norm2 -> ReLU -> conv2 (3x3 to `growth`
/// new channels), torchvision's _DenseLayer (no dropout: DenseNet-121's drop rate is 0).
final class DenseLayer: Module {
    private let norm1: BatchNorm2d, conv1: Conv2d, norm2: BatchNorm2d, conv2: Conv2d

    init(inChannels: Int, width: Int, growth: Int, generator g: inout SeededGenerator) {
        norm1 = BatchNorm2d(features: inChannels)
        conv1 = Conv2d(inChannels: inChannels, outChannels: width, kernelSize: (1, 1), bias: false, generator: &g)
        norm2 = BatchNorm2d(features: width)
        conv2 = Conv2d(inChannels: width, outChannels: growth, kernelSize: (3, 3), padding: .symmetric(height: 1, width: 1),
                       bias: false, generator: &g)
        super.init()
        for (name, layer) in [("norm1", norm1), ("conv1", conv1), ("norm2", norm2), ("conv2", conv2)] as [(String, Module)] {
            registerChild(name, layer)
        }
    }

    /// The new `growth` channels from the concatenation of the block so far.
    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let y = conv1.forward(norm1.forward(x, activation: .relu, context: context), normalizedBy: norm2, activation: .relu,
                              context: context)
        return conv2(y, context: context)
    }
}

/// norm -> ReLU -> conv (1x1, halving the channels) -> 2x2 average pooling, torchvision's _Transition.
final class Transition: Module {
    private let norm: BatchNorm2d, conv: Conv2d

    init(_ inChannels: Int, _ outChannels: Int, generator g: inout SeededGenerator) {
        norm = BatchNorm2d(features: inChannels)
        conv = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: (1, 1), bias: false, generator: &g)
        super.init()
        registerChild("norm", norm)
        registerChild("conv", conv)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let y = conv(norm.forward(x, activation: .relu, context: context), context: context)
        return avgPool2d(y, kernel: (2, 2), stride: (2, 2))
    }
}
