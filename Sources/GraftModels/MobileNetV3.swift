import GraftCore
import GraftData
import GraftNN

/// MobileNetV3-Large and -Small (width 1.0) as torchvision builds them (`mobilenet_v3_large`,
/// `mobilenet_v3_small`): ReLU in the early blocks and hard-swish later, squeeze-excite with ReLU
/// and hard-sigmoid where the paper's table puts it, BatchNorm epsilon 1e-3 and momentum 0.01.
/// Keys are torchvision's (`features.1.block.0.0.weight`, `classifier.0.weight`, `classifier.3.weight`).
///
/// The transfer features are the global average of the last convolution (960 channels for Large,
/// 576 for Small); the ImageNet classifier (Linear, hard-swish, dropout, Linear) is cut off whole.
public final class MobileNetV3: Module, Backbone {
    public enum Variant: String, CaseIterable, Sendable {
        case large = "mobilenetv3-large", small = "mobilenetv3-small"

        /// torchvision's table: (input, kernel, expanded, output, squeeze-excite, hard-swish, stride).
        var blocks: [(Int, Int, Int, Int, Bool, Bool, Int)] {
            switch self {
            case .large:
                return [(16, 3, 16, 16, false, false, 1), (16, 3, 64, 24, false, false, 2), (24, 3, 72, 24, false, false, 1),
                        (24, 5, 72, 40, true, false, 2), (40, 5, 120, 40, true, false, 1), (40, 5, 120, 40, true, false, 1),
                        (40, 3, 240, 80, false, true, 2), (80, 3, 200, 80, false, true, 1), (80, 3, 184, 80, false, true, 1),
                        (80, 3, 184, 80, false, true, 1), (80, 3, 480, 112, true, true, 1), (112, 3, 672, 112, true, true, 1),
                        (112, 5, 672, 160, true, true, 2), (160, 5, 960, 160, true, true, 1), (160, 5, 960, 160, true, true, 1)]
            case .small:
                return [(16, 3, 16, 16, true, false, 2), (16, 3, 72, 24, false, false, 2), (24, 3, 88, 24, false, false, 1),
                        (24, 5, 96, 40, true, true, 2), (40, 5, 240, 40, true, true, 1), (40, 5, 240, 40, true, true, 1),
                        (40, 5, 120, 48, true, true, 1), (48, 5, 144, 48, true, true, 1), (48, 5, 288, 96, true, true, 2),
                        (96, 5, 576, 96, true, true, 1), (96, 5, 576, 96, true, true, 1)]
            }
        }

        /// The last convolution's channels: six times the last block's output.
        public var featureWidth: Int { self == .large ? 960 : 576 }
        /// The hidden width of the ImageNet classifier.
        var classifierWidth: Int { self == .large ? 1280 : 1024 }
    }

    public let variant: Variant
    public var architecture: String { variant.rawValue }
    public var featureWidth: Int { variant.featureWidth }
    static let epsilon: Float = 1e-3, momentum: Float = 0.01

    private let body: Sequential
    private let hidden: Linear
    private let hiddenActivation = ActivationLayer(.hardSwish)
    private let dropout = Dropout(0.2)
    private let classifier: Linear

    /// `hiddenWidth` (default: torchvision's 1280 or 1024) is the ImageNet classifier's hidden
    /// layer; a feature extractor, whose classifier a new head replaces, makes it 1.
    public init(_ variant: Variant = .large, classes: Int = 1000, hiddenWidth: Int? = nil, seed: UInt64 = 0) {
        self.variant = variant
        var g = SeededGenerator(seed: seed)
        var layers: [Module] = [ConvNormActivation(3, 16, kernel: 3, stride: 2, epsilon: Self.epsilon, momentum: Self.momentum,
                                                   activation: .hardSwish, generator: &g)]
        for (input, kernel, expanded, output, squeezeExcite, hardSwish, stride) in variant.blocks {
            layers.append(GatedInvertedResidual(input, kernel: kernel, expanded: expanded, output: output,
                                                squeezeExcite: squeezeExcite, activation: hardSwish ? .hardSwish : .relu,
                                                stride: stride, generator: &g))
        }
        layers.append(ConvNormActivation(variant.blocks.last!.3, variant.featureWidth, kernel: 1, epsilon: Self.epsilon,
                                         momentum: Self.momentum, activation: .hardSwish, generator: &g))
        body = Sequential(layers)
        let hiddenWidth = hiddenWidth ?? variant.classifierWidth
        hidden = Linear(inFeatures: variant.featureWidth, outFeatures: hiddenWidth, generator: &g)
        classifier = Linear(inFeatures: hiddenWidth, outFeatures: classes, generator: &g)
        super.init()
        registerChild("features", body)
        // torchvision's Sequential(Linear, Hardswish, Dropout, Linear): "classifier.0" and "classifier.3".
        let top = registerChild("classifier", Module())
        top.registerChild("0", hidden)
        top.registerChild("1", hiddenActivation)
        top.registerChild("2", dropout)
        top.registerChild("3", classifier)
    }

    public var blockGroups: [BlockGroup] {
        let count = body.children.count
        return [BlockGroup(name: "stem", prefixes: ["features.0"])]
            + (1..<(count - 1)).map { BlockGroup(name: "blocks.\($0 - 1)", prefixes: ["features.\($0)"]) }
            + [BlockGroup(name: "head", prefixes: ["features.\(count - 1)"])]
    }

    /// MobileNet_V3_*_Weights.IMAGENET1K_V1.transforms: bilinear resize to 256, center crop 224,
    /// ImageNet mean and std.
    public var preprocessing: Preprocessing { .imageNet }

    public var classifierPrefixes: [String] { ["classifier."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        body(x, context: context)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let h = hiddenActivation(hidden(features(x, context: context), context: context), context: context)
        return classifier(dropout(h, context: context), context: context)
    }
}

/// torchvision's MobileNetV3 InvertedResidual: [1x1 expand] -> depthwise -> [squeeze-excite with
/// ReLU and hard-sigmoid] -> 1x1 project, under "block" ("block.0", ... in that order).
final class GatedInvertedResidual: Module {
    private let expand: ConvNormActivation?
    private let depthwise: ConvNormActivation
    private let squeezeExcite: SqueezeExcitation?
    private let project: ConvNormActivation
    private let residual: Bool

    init(_ input: Int, kernel: Int, expanded: Int, output: Int, squeezeExcite: Bool, activation: Activation, stride: Int,
         generator g: inout SeededGenerator) {
        let eps = MobileNetV3.epsilon, momentum = MobileNetV3.momentum
        expand = expanded == input ? nil
            : ConvNormActivation(input, expanded, kernel: 1, epsilon: eps, momentum: momentum, activation: activation, generator: &g)
        depthwise = ConvNormActivation(expanded, expanded, kernel: kernel, stride: stride, groups: expanded, epsilon: eps,
                                       momentum: momentum, activation: activation, generator: &g)
        self.squeezeExcite = squeezeExcite
            ? SqueezeExcitation(channels: expanded, squeezeChannels: makeDivisible(Double(expanded / 4), 8), activation: .relu,
                                gate: .hardSigmoid, generator: &g)
            : nil
        project = ConvNormActivation(expanded, output, kernel: 1, epsilon: eps, momentum: momentum, activation: nil, generator: &g)
        residual = stride == 1 && input == output
        super.init()
        let layers = registerChild("block", Module())
        let ordered: [Module] = [expand, depthwise, self.squeezeExcite, project].compactMap { $0 }
        for (index, layer) in ordered.enumerated() { layers.registerChild(String(index), layer) }
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y: Tensor
        if let expand {
            y = expand.conv.forward(x, normalizedBy: expand.norm, activation: expand.activation, thenDepthwise: depthwise.conv,
                                    normalizedBy: depthwise.norm, activation: depthwise.activation, context: context)
        } else {
            y = depthwise(x, context: context)
        }
        if let squeezeExcite { y = squeezeExcite(y, context: context) }
        return project.conv.forward(y, normalizedBy: project.norm, adding: residual ? x : nil, context: context)
    }
}
