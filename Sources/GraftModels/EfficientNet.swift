import GraftCore
import GraftData
import GraftNN

/// EfficientNet-B0 to B3 as torchvision builds them (`efficientnet_b0` ... `efficientnet_b3`):
/// SiLU, squeeze-excite (SiLU, sigmoid) in every block, symmetric padding, BatchNorm epsilon
/// 1e-5, stochastic depth on the residual blocks rising linearly to 0.2, dropout before the
/// classifier. Keys are torchvision's (`features.0.0.weight`, `features.1.0.block.0.0.weight`,
/// `classifier.1.weight`), so its ImageNet checkpoints load as they are.
///
/// Keras' build (`keras.applications.EfficientNetB0` ...) is the same network with TensorFlow's
/// "SAME" padding in its strided convolutions, BatchNorm epsilon 1e-3, and the ImageNet
/// normalization built into the network (its inputs are 0-255 pixels); that normalization is the
/// preprocessing here, and loading checks that a Keras file's is Keras' ImageNet one.
public final class EfficientNet: Module, Backbone {
    public enum Variant: String, CaseIterable, Sendable {
        case b0 = "efficientnet-b0", b1 = "efficientnet-b1", b2 = "efficientnet-b2", b3 = "efficientnet-b3"

        var widthMultiplier: Double { [1.0, 1.0, 1.1, 1.2][index] }
        var depthMultiplier: Double { [1.0, 1.1, 1.2, 1.4][index] }
        var dropout: Float { [0.2, 0.2, 0.3, 0.3][index] }
        /// The crop the IMAGENET1K_V1 weights were evaluated at, and the shorter side resized to before it.
        public var inputSize: Int { [224, 240, 288, 300][index] }
        /// The input size of Keras' ImageNet weights.
        var kerasInputSize: Int { [224, 240, 260, 300][index] }
        var resizeSize: Int { [256, 256, 288, 320][index] }
        /// Channels of the last 1x1 convolution: four times the last stage's width.
        public var featureWidth: Int { 4 * EfficientNet.adjusted(320, widthMultiplier) }
        private var index: Int { Variant.allCases.firstIndex(of: self)! }
    }

    public let variant: Variant
    public let flavor: Flavor
    public var architecture: String { flavor.architecture(variant.rawValue) }
    public var featureWidth: Int { variant.featureWidth }
    /// torchvision's maximum: the last block drops its branch with probability 0.2 * (n - 1) / n.
    static let stochasticDepthProbability = 0.2

    private let stem: ConvNormActivation
    private let blocks: [SqueezeExciteBlock]
    let stageSizes: [Int]
    private let head: ConvNormActivation
    private let dropout: Dropout
    private let classifier: Linear

    public init(_ variant: Variant = .b0, flavor: Flavor = .torchvision, classes: Int = 1000, seed: UInt64 = 0) {
        self.variant = variant
        self.flavor = flavor
        var g = SeededGenerator(seed: seed)
        let specs = Self.blockSpecs(variant)
        let style = ConvStyle(flavor)
        stem = ConvNormActivation(3, specs[0].inChannels, kernel: 3, stride: 2, padding: style.padding, epsilon: style.epsilon,
                                  activation: .silu, generator: &g)
        blocks = specs.enumerated().map { i, spec in
            SqueezeExciteBlock(spec, stochasticDepth: Float(Self.stochasticDepthProbability * Double(i) / Double(specs.count)),
                               style: style, generator: &g)
        }
        stageSizes = Self.stageDepths(variant)
        head = ConvNormActivation(specs.last!.outChannels, variant.featureWidth, kernel: 1, epsilon: style.epsilon, activation: .silu,
                                  generator: &g)
        dropout = Dropout(variant.dropout)
        classifier = Linear(inFeatures: variant.featureWidth, outFeatures: classes, generator: &g)
        super.init()
        let features = registerChild("features", Module())
        features.registerChild("0", stem)
        var next = blocks.makeIterator()
        for (stage, depth) in stageSizes.enumerated() {
            let stageModule = features.registerChild(String(stage + 1), Module())
            for j in 0..<depth { stageModule.registerChild(String(j), next.next()!) }
        }
        features.registerChild(String(stageSizes.count + 1), head)
        // torchvision's classifier is Sequential(Dropout, Linear): the Linear is "classifier.1".
        let top = registerChild("classifier", Module())
        top.registerChild("0", dropout)
        top.registerChild("1", classifier)
    }

    public var blockGroups: [BlockGroup] {
        var groups = [BlockGroup(name: "stem", prefixes: ["features.0"])]
        for (stage, depth) in stageSizes.enumerated() {
            for j in 0..<depth {
                groups.append(BlockGroup(name: "blocks.\(groups.count - 1)", prefixes: ["features.\(stage + 1).\(j)"]))
            }
        }
        return groups + [BlockGroup(name: "head", prefixes: ["features.\(stageSizes.count + 1)"])]
    }

    public var preprocessing: Preprocessing {
        if flavor == .keras {
            // Keras' network scales 0-255 pixels to [0, 1] and applies the ImageNet mean and std
            // itself; the whole image is resized, as Keras' image_dataset_from_directory does.
            return Preprocessing(height: variant.kerasInputSize, width: variant.kerasInputSize, resize: .stretch,
                                 normalization: .imageNet)
        }
        // EfficientNet_BN_Weights.IMAGENET1K_V1.transforms: bicubic resize of the shorter side, center crop.
        return Preprocessing(height: variant.inputSize, width: variant.inputSize, resize: .shorterSideThenCenterCrop(variant.resizeSize),
                             filter: .bicubic, normalization: .imageNet)
    }

    public var classifierPrefixes: [String] { ["classifier."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = stem(x, context: context)
        for block in blocks { y = block(y, context: context) }
        return head(y, context: context)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(dropout(features(x, context: context), context: context), context: context)
    }

    /// EfficientNet-B0's seven stages: (expansion, kernel, stride, in, out, repeats).
    private static let stages = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
                                 (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]

    static func stageDepths(_ variant: Variant) -> [Int] {
        stages.map { Int((Double($0.5) * variant.depthMultiplier).rounded(.up)) }
    }

    static func blockSpecs(_ variant: Variant) -> [SqueezeExciteBlock.Spec] {
        var specs: [SqueezeExciteBlock.Spec] = []
        for ((expansion, kernel, stride, cin, cout, _), depth) in zip(stages, stageDepths(variant)) {
            let inWidth = adjusted(cin, variant.widthMultiplier), outWidth = adjusted(cout, variant.widthMultiplier)
            for r in 0..<depth {
                let input = r == 0 ? inWidth : outWidth
                specs.append(.init(kernel: kernel, stride: r == 0 ? stride : 1, inChannels: input,
                                   expandedChannels: makeDivisible(Double(input * expansion), 8), outChannels: outWidth,
                                   squeezeChannels: max(1, input / 4)))
            }
        }
        return specs
    }

    /// torchvision's `MBConvConfig.adjust_channels`.
    static func adjusted(_ channels: Int, _ multiplier: Double) -> Int { makeDivisible(Double(channels) * multiplier, 8) }
}

/// torchvision's `_make_divisible`: `value` rounded to the nearest multiple of `divisor` (at
/// least `divisor`), one multiple more where rounding would lose more than 10%.
func makeDivisible(_ value: Double, _ divisor: Int) -> Int {
    var rounded = max(divisor, Int(value + Double(divisor) / 2) / divisor * divisor)
    if Double(rounded) < 0.9 * value { rounded += divisor }
    return rounded
}

/// torchvision's MBConv: [1x1 expand] -> depthwise -> squeeze-excite -> 1x1 project, under
/// "block" ("block.0", "block.1", ... in that order), SiLU throughout; the branch of a residual
/// block goes through stochastic depth before the addition.
final class SqueezeExciteBlock: Module {
    struct Spec { let kernel, stride, inChannels, expandedChannels, outChannels, squeezeChannels: Int }

    let outChannels: Int
    let stochasticDepthProbability: Float
    private let expand: ConvNormActivation?
    private let depthwise: ConvNormActivation
    private let squeezeExcite: SqueezeExcitation
    private let project: ConvNormActivation
    private let residual: Bool

    init(_ s: Spec, stochasticDepth: Float, style: ConvStyle, generator g: inout SeededGenerator) {
        let mid = s.expandedChannels
        outChannels = s.outChannels
        stochasticDepthProbability = stochasticDepth
        expand = mid == s.inChannels ? nil
            : ConvNormActivation(s.inChannels, mid, kernel: 1, epsilon: style.epsilon, activation: .silu, generator: &g)
        depthwise = ConvNormActivation(mid, mid, kernel: s.kernel, stride: s.stride, groups: mid, padding: style.padding,
                                       epsilon: style.epsilon, activation: .silu, generator: &g)
        squeezeExcite = SqueezeExcitation(channels: mid, squeezeChannels: s.squeezeChannels, activation: .silu, gate: .sigmoid,
                                          generator: &g)
        project = ConvNormActivation(mid, s.outChannels, kernel: 1, epsilon: style.epsilon, activation: nil, generator: &g)
        residual = s.stride == 1 && s.inChannels == s.outChannels
        super.init()
        let layers = registerChild("block", Module())
        let ordered: [Module] = [expand, depthwise, squeezeExcite, project].compactMap { $0 }
        for (index, layer) in ordered.enumerated() { layers.registerChild(String(index), layer) }
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y: Tensor
        if let expand {
            y = expand.conv.forward(x, normalizedBy: expand.norm, activation: .silu, thenDepthwise: depthwise.conv,
                                    normalizedBy: depthwise.norm, activation: .silu, context: context)
        } else {
            y = depthwise(x, context: context)
        }
        y = squeezeExcite(y, context: context)
        guard residual else { return project(y, context: context) }
        guard dropsBranch(context) else {
            return project.conv.forward(y, normalizedBy: project.norm, adding: x, context: context)
        }
        let branch = stochasticDepth(project(y, context: context), p: stochasticDepthProbability, training: true,
                                     generator: &context.randomness)
        // The branch is this block's own intermediate, and neither op before keeps its output.
        return add(branch, x, reusingFirst: true)
    }

    /// Stochastic depth runs in training passes, and only where the block itself trains: a frozen
    /// block stays the fixed function the pretrained weights compute (as its BatchNorm keeps its
    /// running statistics), so features of a frozen backbone are the same in every pass.
    private func dropsBranch(_ context: ForwardContext) -> Bool {
        context.training && stochasticDepthProbability > 0 && parameters.contains(where: \.requiresGrad)
    }
}
