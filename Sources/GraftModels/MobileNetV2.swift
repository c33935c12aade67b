import GraftCore
import GraftData
import GraftNN

/// MobileNetV2 (width 1.0) with torchvision's module names (`features.N...`, `classifier.1`), so
/// torchvision's ImageNet checkpoint loads as it is. Symmetric padding, BatchNorm epsilon 1e-5.
///
/// Keras' build (`keras.applications.MobileNetV2`) is the same network with TensorFlow's "SAME"
/// padding (Keras pads a strided convolution's input with `correct_pad`, which is the same
/// thing: the odd pixel at the bottom and right), BatchNorm epsilon 1e-3 and inputs in [-1, 1].
public final class MobileNetV2: Module, ChainedBackbone {
    public let flavor: Flavor
    public var architecture: String { flavor.architecture("mobilenetv2") }
    public let featureWidth = 1280
    let body: Sequential
    private let dropout = Dropout(0.2)
    private let classifier: Linear

    public init(flavor: Flavor = .torchvision, classes: Int = 1000, seed: UInt64 = 0) {
        self.flavor = flavor
        var g = SeededGenerator(seed: seed)
        let style = ConvStyle(flavor)
        var layers: [Module] = [ConvNormActivation(3, 32, kernel: 3, stride: 2, padding: style.padding, epsilon: style.epsilon,
                                                   activation: .relu6, generator: &g)]
        var inChannels = 32
        // (expansion, output channels, repeats, first stride), torchvision's table.
        for (t, c, n, s) in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)] {
            for i in 0..<n {
                layers.append(InvertedResidual(inChannels, c, stride: i == 0 ? s : 1, expansion: t, style: style, generator: &g))
                inChannels = c
            }
        }
        layers.append(ConvNormActivation(inChannels, 1280, kernel: 1, epsilon: style.epsilon, activation: .relu6, generator: &g))
        body = Sequential(layers)
        classifier = Linear(inFeatures: 1280, outFeatures: classes, generator: &g)
        super.init()
        registerChild("features", body)
        // torchvision's classifier is Sequential(Dropout, Linear): the Linear is "classifier.1".
        let head = registerChild("classifier", Module())
        head.registerChild("0", dropout)
        head.registerChild("1", classifier)
    }

    public var blockGroups: [BlockGroup] {
        let count = body.children.count
        return [BlockGroup(name: "stem", prefixes: ["features.0"])]
            + (1..<(count - 1)).map { BlockGroup(name: "blocks.\($0 - 1)", prefixes: ["features.\($0)"]) }
            + [BlockGroup(name: "head", prefixes: ["features.\(count - 1)"])]
    }

    public var preprocessing: Preprocessing { flavor == .keras ? .kerasMobileNet : .imageNet }

    public var classifierPrefixes: [String] { ["classifier."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        body(x, context: context)
    }

    // The groups are the body's layers.
    public func activation(_ x: Tensor, throughGroups groups: Int, context: ForwardContext) -> Tensor {
        checkSplit(groups)
        return body.children[..<groups].reduce(x) { $1.module.forward($0, context: context) }
    }

    public func featureMap(continuingFrom activation: Tensor, afterGroups groups: Int, context: ForwardContext) -> Tensor {
        checkSplit(groups)
        return body.children[groups...].reduce(activation) { $1.module.forward($0, context: context) }
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(dropout(features(x, context: context), context: context), context: context)
    }
}

/// torchvision's InvertedResidual: [1x1 expand] -> 3x3 depthwise -> 1x1 project, under "conv"
/// ("conv.0", "conv.1", ... numbered in that order, as torchvision's `nn.Sequential` numbers them).
final class InvertedResidual: Module {
    private let expand: ConvNormActivation?
    private let depthwise: ConvNormActivation
    private let project: Conv2d
    private let projectNorm: BatchNorm2d
    private let residual: Bool

    init(_ inChannels: Int, _ outChannels: Int, stride: Int, expansion: Int, style: ConvStyle, generator g: inout SeededGenerator) {
        let mid = inChannels * expansion
        expand = expansion == 1 ? nil
            : ConvNormActivation(inChannels, mid, kernel: 1, epsilon: style.epsilon, activation: .relu6, generator: &g)
        depthwise = ConvNormActivation(mid, mid, kernel: 3, stride: stride, groups: mid, padding: style.padding, epsilon: style.epsilon,
                                       activation: .relu6, generator: &g)
        project = Conv2d(inChannels: mid, outChannels: outChannels, kernelSize: (1, 1), bias: false, generator: &g)
        projectNorm = BatchNorm2d(features: outChannels, epsilon: style.epsilon)
        residual = stride == 1 && inChannels == outChannels
        super.init()
        let layers = registerChild("conv", Module())
        let ordered: [Module] = [expand, depthwise, project, projectNorm].compactMap { $0 }
        for (index, layer) in ordered.enumerated() { layers.registerChild(String(index), layer) }
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let y: Tensor
        if let expand {
            y = expand.conv.forward(x, normalizedBy: expand.norm, activation: expand.activation, thenDepthwise: depthwise.conv,
                                    normalizedBy: depthwise.norm, activation: depthwise.activation, context: context)
        } else {
            y = depthwise(x, context: context)
        }
        return project.forward(y, normalizedBy: projectNorm, adding: residual ? x : nil, context: context)
    }
}
