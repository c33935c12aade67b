import GraftCore
import GraftData
import GraftNN

/// ConvNeXt-Tiny as torchvision builds it (`convnext_tiny`): a 4x4 stride-4 stem, four stages of
/// 3, 3, 9 and 3 blocks (96 to 768 channels) with LayerNorm and a 2x2 stride-2 convolution between
/// them, LayerNorm (epsilon 1e-6) throughout, exact GELU, layer scale and stochastic depth rising
/// linearly to 0.1. Keys are torchvision's (`features.0.0.weight`, `features.1.0.block.3.weight`,
/// `features.1.0.layer_scale`, `features.2.1.weight`, `classifier.2.weight`), so its ImageNet
/// checkpoint loads as it is.
///
/// The transfer features are the pooled last map after the classifier's LayerNorm
/// (`classifier.0`), which the pretrained weights normalize their features with; only the final
/// Linear (`classifier.2`) is replaced.
public final class ConvNeXt: Module, Backbone {
    /// (channels, blocks) of the four stages.
    static let stages = [(96, 3), (192, 3), (384, 9), (768, 3)]
    /// torchvision's `stochastic_depth_prob` for the tiny model: block k of n drops with 0.1 * k / (n - 1).
    static let stochasticDepthProbability = 0.1
    static let epsilon: Float = 1e-6
    public static let featureWidth = 768

    public var architecture: String { BackboneKind.convNeXtTiny.rawValue }
    public var featureWidth: Int { Self.featureWidth }

    private let stem: Conv2d, stemNorm: LayerNorm2d
    /// Per stage, its blocks.
    private let stageBlocks: [[ConvNeXtBlock]]
    /// Before stages 2 to 4: LayerNorm, then a 2x2 stride-2 convolution.
    private let downsamples: [(norm: LayerNorm2d, conv: Conv2d)]
    private let headNorm: LayerNorm2d
    private let classifier: Linear

    public init(classes: Int = 1000, seed: UInt64 = 0) {
        var g = SeededGenerator(seed: seed)
        let first = Self.stages[0].0
        stem = Conv2d(inChannels: 3, outChannels: first, kernelSize: (4, 4), stride: (4, 4), generator: &g)
        stemNorm = LayerNorm2d(channels: first, epsilon: Self.epsilon)
        let total = Self.stages.map(\.1).reduce(0, +)
        var index = 0
        var blocks: [[ConvNeXtBlock]] = []
        var downsamples: [(norm: LayerNorm2d, conv: Conv2d)] = []
        for (stage, (channels, depth)) in Self.stages.enumerated() {
            if stage > 0 {
                let previous = Self.stages[stage - 1].0
                downsamples.append((LayerNorm2d(channels: previous, epsilon: Self.epsilon),
                                    Conv2d(inChannels: previous, outChannels: channels, kernelSize: (2, 2), stride: (2, 2), generator: &g)))
            }
            blocks.append((0..<depth).map { _ in
                defer { index += 1 }
                let p = Self.stochasticDepthProbability * Double(index) / Double(total - 1)
                return ConvNeXtBlock(channels: channels, stochasticDepth: Float(p), generator: &g)
            })
        }
        stageBlocks = blocks
        self.downsamples = downsamples
        headNorm = LayerNorm2d(channels: Self.featureWidth, epsilon: Self.epsilon)
        classifier = Linear(inFeatures: Self.featureWidth, outFeatures: classes, generator: &g)
        super.init()
        let features = registerChild("features", Module())
        let stemModule = features.registerChild("0", Module())
        stemModule.registerChild("0", stem)
        stemModule.registerChild("1", stemNorm)
        for (stage, stageBlocks) in blocks.enumerated() {
            if stage > 0 {
                let down = features.registerChild(String(2 * stage), Module())
                down.registerChild("0", downsamples[stage - 1].norm)
                down.registerChild("1", downsamples[stage - 1].conv)
            }
            let stageModule = features.registerChild(String(2 * stage + 1), Module())
            for (j, block) in stageBlocks.enumerated() { stageModule.registerChild(String(j), block) }
        }
        // torchvision's Sequential(LayerNorm2d, Flatten, Linear): "classifier.0" and "classifier.2".
        let top = registerChild("classifier", Module())
        top.registerChild("0", headNorm)
        top.registerChild("2", classifier)
    }

    /// The stem, then one group per block; a downsampling layer goes with the first block after it,
    /// and the head's LayerNorm is the last group, so "last N blocks" counts blocks as EfficientNet does.
    public var blockGroups: [BlockGroup] {
        var groups = [BlockGroup(name: "stem", prefixes: ["features.0"])]
        for (stage, blocks) in stageBlocks.enumerated() {
            for j in blocks.indices {
                var prefixes = ["features.\(2 * stage + 1).\(j)"]
                if stage > 0 && j == 0 { prefixes.insert("features.\(2 * stage)", at: 0) }
                groups.append(BlockGroup(name: "blocks.\(groups.count - 1)", prefixes: prefixes))
            }
        }
        return groups + [BlockGroup(name: "head", prefixes: ["classifier.0"])]
    }

    /// ConvNeXt_Tiny_Weights.IMAGENET1K_V1.transforms: bilinear resize of the shorter side to 236,
    /// center crop 224, ImageNet mean and std.
    public var preprocessing: Preprocessing {
        Preprocessing(height: 224, width: 224, resize: .shorterSideThenCenterCrop(236), filter: .bilinear, normalization: .imageNet)
    }

    public var classifierPrefixes: [String] { ["classifier.2."] }

    /// A 4x4 stride-4 stem and three 2x2 stride-2 downsamplings, all unpadded: each rounds down.
    public func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int) {
        BackboneKind.convNeXtTiny.featureMapSize(height: height, width: width)
    }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = stemNorm(stem(x, context: context), context: context)
        for (stage, blocks) in stageBlocks.enumerated() {
            if stage > 0 {
                let (norm, conv) = downsamples[stage - 1]
                y = conv(norm(y, context: context), context: context)
            }
            for block in blocks { y = block(y, context: context) }
        }
        return y
    }

    /// The pooled map through the head's LayerNorm, (N, 768).
    public func features(_ x: Tensor, context: ForwardContext) -> Tensor {
        let pooled = globalAvgPool2d(featureMap(x, context: context))
        let normalized = headNorm(reshape(pooled, [pooled.shape[0], Self.featureWidth, 1, 1]), context: context)
        return flatten(normalized)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(features(x, context: context), context: context)
    }
}

/// torchvision's CNBlock: 7x7 depthwise convolution, LayerNorm over the channels, Linear to four
/// times the width, GELU, Linear back, layer scale, stochastic depth, plus the input. Keys
/// `block.0` (the convolution), `block.2` (LayerNorm), `block.3` and `block.5` (the Linear layers,
/// weights (out, in)) and `layer_scale` (C, 1, 1); torchvision's `block.1` and `block.6` are the
/// permutes to channels-last and back, and `block.4` the GELU, none with parameters.
///
/// From the LayerNorm to the layer scale the branch is channels-last, as torchvision's is after its
/// permute: the LayerNorm and the Linear layers (`pixelLinear`) run on its pixel rows. The
/// depthwise convolution and the residual stay in the blocked layout oneDNN's convolutions prefer;
/// the branch goes back to it in the addition.
final class ConvNeXtBlock: Module {
    let stochasticDepthProbability: Float
    private let depthwise: Conv2d
    private let norm: LayerNorm2d
    private let expand: Linear, project: Linear
    private let layerScale: Tensor

    init(channels: Int, stochasticDepth: Float, generator g: inout SeededGenerator) {
        stochasticDepthProbability = stochasticDepth
        depthwise = Conv2d(inChannels: channels, outChannels: channels, kernelSize: (7, 7),
                           padding: .symmetric(height: 3, width: 3), groups: channels, generator: &g)
        norm = LayerNorm2d(channels: channels, epsilon: ConvNeXt.epsilon)
        expand = Linear(inFeatures: channels, outFeatures: 4 * channels, generator: &g)
        project = Linear(inFeatures: 4 * channels, outFeatures: channels, generator: &g)
        // torchvision's initial layer scale.
        layerScale = Tensor(shape: [channels, 1, 1], values: [Float](repeating: 1e-6, count: channels))
        super.init()
        let layers = registerChild("block", Module())
        layers.registerChild("0", depthwise)
        layers.registerChild("2", norm)
        layers.registerChild("3", expand)
        layers.registerChild("5", project)
        registerParameter("layer_scale", layerScale)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let y = norm(depthwise(x, context: context), context: context)
        var branch = scaleChannels(pointwise(y, context: context), by: layerScale)
        if dropsBranch(context) {
            branch = stochasticDepth(branch, p: stochasticDepthProbability, training: true, generator: &context.randomness)
        }
        // The sum takes the input's (blocked) layout, which the next depthwise convolution reads.
        return add(x, branch)
    }

    /// Linear, GELU, Linear on every pixel; where nothing needs a gradient the GELU runs inside the
    /// first convolution's primitive.
    private func pointwise(_ y: Tensor, context: ForwardContext) -> Tensor {
        let frozen = !context.isRecordingGradients || ![y, expand.weight, expand.bias, project.weight, project.bias]
            .contains { $0?.requiresGrad == true }
        let hidden = frozen && context.fusion
            ? pixelLinearInference(y, weight: expand.weight, bias: expand.bias, activation: .gelu)
            : gelu(pixelLinear(y, weight: expand.weight, bias: expand.bias))
        return frozen ? pixelLinearInference(hidden, weight: project.weight, bias: project.bias)
            : pixelLinear(hidden, weight: project.weight, bias: project.bias)
    }

    /// Stochastic depth runs in training passes, and only where the block itself trains (as
    /// EfficientNet's blocks): a frozen block stays the function the pretrained weights compute.
    private func dropsBranch(_ context: ForwardContext) -> Bool {
        context.training && stochasticDepthProbability > 0 && parameters.contains(where: \.requiresGrad)
    }
}
