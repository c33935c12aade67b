import GraftCore
import GraftData
import GraftNN

/// torchvision's ResNets (v1.5: a bottleneck's stride sits in its 3x3 convolution), with
/// torchvision's names (`conv1`, `layer1.0.conv1`, `layer1.0.downsample.0`, `fc`).
///
/// Keras' build (`keras.applications.ResNet50`, the original v1) differs in the network itself:
/// a bottleneck's stride sits in its first 1x1 convolution, every convolution has a bias,
/// BatchNorm's epsilon is 1.001e-5, and it takes caffe-style inputs.
public final class ResNet: Module, Backbone {
    /// The five depths torchvision ships ImageNet weights for.
    public enum Depth: String, CaseIterable, Sendable {
        case resNet18 = "resnet18", resNet34 = "resnet34", resNet50 = "resnet50"
        case resNet101 = "resnet101", resNet152 = "resnet152"

        /// Residual blocks in each of the four stages.
        var blocksPerStage: [Int] {
            switch self {
            case .resNet18: return [2, 2, 2, 2]
            case .resNet34, .resNet50: return [3, 4, 6, 3]
            case .resNet101: return [3, 4, 23, 3]
            case .resNet152: return [3, 8, 36, 3]
            }
        }

        /// 18 and 34 stack two 3x3 convolutions per block; the deeper ones use 1x1-3x3-1x1
        /// bottlenecks that widen their output four times.
        var usesBottlenecks: Bool { self != .resNet18 && self != .resNet34 }

        /// The channels of the last stage's output.
        public var featureWidth: Int { usesBottlenecks ? 2048 : 512 }
    }

    public let depth: Depth
    public let flavor: Flavor
    public var architecture: String { flavor.architecture(depth.rawValue) }
    public var featureWidth: Int { depth.featureWidth }
    private let conv1: Conv2d, bn1: BatchNorm2d
    private let layers: [Module]
    private let classifier: Linear

    public init(_ depth: Depth, flavor: Flavor = .torchvision, classes: Int = 1000, seed: UInt64 = 0) {
        precondition(flavor == .torchvision || depth.usesBottlenecks, "Keras builds only the bottleneck ResNets")
        self.depth = depth
        self.flavor = flavor
        var g = SeededGenerator(seed: seed)
        let style = ResNetStyle(flavor)
        conv1 = Conv2d(inChannels: 3, outChannels: 64, kernelSize: (7, 7), stride: (2, 2),
                       padding: .symmetric(height: 3, width: 3), bias: style.biases, generator: &g)
        bn1 = BatchNorm2d(features: 64, epsilon: style.epsilon)
        var blocks: [Module] = []
        var inChannels = 64
        for (stage, count) in depth.blocksPerStage.enumerated() {
            let width = 64 << stage
            for i in 0..<count {
                let stride = i == 0 && stage > 0 ? 2 : 1
                if depth.usesBottlenecks {
                    blocks.append(Bottleneck(inChannels, width: width, stride: stride, style: style, generator: &g))
                    inChannels = width * 4
                } else {
                    blocks.append(BasicBlock(inChannels, width: width, stride: stride, generator: &g))
                    inChannels = width
                }
            }
        }
        layers = blocks
        classifier = Linear(inFeatures: depth.featureWidth, outFeatures: classes, generator: &g)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        var index = 0
        for (stage, count) in depth.blocksPerStage.enumerated() {
            let layer = registerChild("layer\(stage + 1)", Module())
            for i in 0..<count {
                layer.registerChild(String(i), blocks[index])
                index += 1
            }
        }
        registerChild("fc", classifier)
    }

    /// "layer2.3" style paths of the residual blocks, in order.
    private var blockPaths: [String] {
        depth.blocksPerStage.enumerated().flatMap { stage, count in (0..<count).map { "layer\(stage + 1).\($0)" } }
    }

    public var blockGroups: [BlockGroup] {
        [BlockGroup(name: "stem", prefixes: ["conv1", "bn1"])]
            + blockPaths.enumerated().map { BlockGroup(name: "blocks.\($0.offset)", prefixes: [$0.element]) }
    }

    public var preprocessing: Preprocessing { flavor == .keras ? .caffe : .imageNet }

    public var classifierPrefixes: [String] { ["fc."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = conv1.forward(x, normalizedBy: bn1, activation: .relu, context: context)
        // Keras pads this pooling's input with zeros rather than -infinity: the same after a ReLU.
        y = maxPool2d(y, kernel: (3, 3), stride: (2, 2), padding: .symmetric(height: 1, width: 1))
        for block in layers { y = block(y, context: context) }
        return y
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(features(x, context: context), context: context)
    }
}

/// What Keras' build of a ResNet changes in every block.
struct ResNetStyle {
    /// Whether convolutions have biases (Keras': a BatchNorm follows each, so they add nothing
    /// but parameters).
    let biases: Bool
    let epsilon: Float
    /// Whether a bottleneck strides in its first 1x1 convolution (v1) rather than its 3x3 (v1.5).
    let strideFirst: Bool

    init(_ flavor: Flavor) {
        biases = flavor == .keras
        epsilon = flavor == .keras ? 1.001e-5 : 1e-5
        strideFirst = flavor == .keras
    }
}

/// The projected shortcut of a block whose shape changes: a strided 1x1 convolution and its
/// BatchNorm, "downsample.0" and "downsample.1" as in torchvision.
private struct Downsample {
    let conv: Conv2d, norm: BatchNorm2d

    /// nil when the block keeps its input's shape and adds it unchanged.
    init?(_ inChannels: Int, _ outChannels: Int, stride: Int, style: ResNetStyle = ResNetStyle(.torchvision),
          generator g: inout SeededGenerator) {
        guard stride != 1 || inChannels != outChannels else { return nil }
        conv = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: (1, 1), stride: (stride, stride),
                      bias: style.biases, generator: &g)
        norm = BatchNorm2d(features: outChannels, epsilon: style.epsilon)
    }

    func register(in block: Module) {
        let shortcut = block.registerChild("downsample", Module())
        shortcut.registerChild("0", conv)
        shortcut.registerChild("1", norm)
    }

    func callAsFunction(_ x: Tensor, context: ForwardContext) -> Tensor {
        conv.forward(x, normalizedBy: norm, context: context)
    }
}

/// Two 3x3 convolutions (the first strided), ResNet-18's and -34's block.
final class BasicBlock: Module {
    private let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d
    private let downsample: Downsample?

    init(_ inChannels: Int, width: Int, stride: Int, generator g: inout SeededGenerator) {
        conv1 = Conv2d(inChannels: inChannels, outChannels: width, kernelSize: (3, 3), stride: (stride, stride),
                       padding: .symmetric(height: 1, width: 1), bias: false, generator: &g)
        bn1 = BatchNorm2d(features: width)
        conv2 = Conv2d(inChannels: width, outChannels: width, kernelSize: (3, 3),
                       padding: .symmetric(height: 1, width: 1), bias: false, generator: &g)
        bn2 = BatchNorm2d(features: width)
        downsample = Downsample(inChannels, width, stride: stride, generator: &g)
        super.init()
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)] as [(String, Module)] {
            registerChild(name, layer)
        }
        downsample?.register(in: self)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let shortcut = downsample?(x, context: context) ?? x
        let y = conv1.forward(x, normalizedBy: bn1, activation: .relu, context: context)
        return conv2.forward(y, normalizedBy: bn2, adding: shortcut, activation: .relu, context: context)
    }
}

/// 1x1 reduce -> 3x3 (strided) -> 1x1 expand (x4), the deeper ResNets' block.
final class Bottleneck: Module {
    private let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    private let downsample: Downsample?

    init(_ inChannels: Int, width: Int, stride: Int, style: ResNetStyle, generator g: inout SeededGenerator) {
        let (first, second) = style.strideFirst ? (stride, 1) : (1, stride)
        conv1 = Conv2d(inChannels: inChannels, outChannels: width, kernelSize: (1, 1), stride: (first, first), bias: style.biases,
                       generator: &g)
        bn1 = BatchNorm2d(features: width, epsilon: style.epsilon)
        conv2 = Conv2d(inChannels: width, outChannels: width, kernelSize: (3, 3), stride: (second, second),
                       padding: .symmetric(height: 1, width: 1), bias: style.biases, generator: &g)
        bn2 = BatchNorm2d(features: width, epsilon: style.epsilon)
        conv3 = Conv2d(inChannels: width, outChannels: width * 4, kernelSize: (1, 1), bias: style.biases, generator: &g)
        bn3 = BatchNorm2d(features: width * 4, epsilon: style.epsilon)
        downsample = Downsample(inChannels, width * 4, stride: stride, style: style, generator: &g)
        super.init()
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3)] as [(String, Module)] {
            registerChild(name, layer)
        }
        downsample?.register(in: self)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let shortcut = downsample?(x, context: context) ?? x
        var y = conv1.forward(x, normalizedBy: bn1, activation: .relu, context: context)
        y = conv2.forward(y, normalizedBy: bn2, activation: .relu, context: context)
        return conv3.forward(y, normalizedBy: bn3, adding: shortcut, activation: .relu, context: context)
    }
}
