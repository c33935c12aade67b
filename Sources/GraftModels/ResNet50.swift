import GraftCore
import GraftData
import GraftNN

/// ResNet-50 (torchvision's v1.5: the stride sits in the 3x3 convolution), with torchvision's
/// names (`conv1`, `layer1.0.conv1`, `layer1.0.downsample.0`, `fc`).
public final class ResNet50: Module, Backbone {
    public let architecture = "resnet50"
    public let featureWidth = 2048
    private let conv1: Conv2d, bn1: BatchNorm2d
    private let layers: [Bottleneck]
    private let classifier: Linear

    public init(classes: Int = 1000, seed: UInt64 = 0) {
        var g = SeededGenerator(seed: seed)
        conv1 = Conv2d(inChannels: 3, outChannels: 64, kernelSize: (7, 7), stride: (2, 2),
                       padding: .symmetric(height: 3, width: 3), bias: false, generator: &g)
        bn1 = BatchNorm2d(features: 64)
        var blocks: [Bottleneck] = []
        var inChannels = 64
        for (stage, (width, count)) in [(64, 3), (128, 4), (256, 6), (512, 3)].enumerated() {
            for i in 0..<count {
                blocks.append(Bottleneck(inChannels, width: width, stride: i == 0 && stage > 0 ? 2 : 1, generator: &g))
                inChannels = width * 4
            }
        }
        layers = blocks
        classifier = Linear(inFeatures: 2048, outFeatures: classes, generator: &g)
        super.init()
        registerChild("conv1", conv1)
        registerChild("bn1", bn1)
        var index = 0
        for (stage, count) in [3, 4, 6, 3].enumerated() {
            let layer = registerChild("layer\(stage + 1)", Module())
            for i in 0..<count {
                layer.registerChild(String(i), blocks[index])
                index += 1
            }
        }
        registerChild("fc", classifier)
    }

    /// "layer2.3" style paths of the sixteen bottlenecks, in order.
    private var blockPaths: [String] {
        [3, 4, 6, 3].enumerated().flatMap { stage, count in (0..<count).map { "layer\(stage + 1).\($0)" } }
    }

    public var blockGroups: [BlockGroup] {
        [BlockGroup(name: "stem", prefixes: ["conv1", "bn1"])]
            + blockPaths.enumerated().map { BlockGroup(name: "blocks.\($0.offset)", prefixes: [$0.element]) }
    }

    public var preprocessing: Preprocessing { .imageNet }

    public var classifierPrefixes: [String] { ["fc."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = conv1.forward(x, normalizedBy: bn1, activation: .relu, context: context)
        y = maxPool2d(y, kernel: (3, 3), stride: (2, 2), padding: .symmetric(height: 1, width: 1))
        for block in layers { y = block(y, context: context) }
        return y
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        classifier(features(x, context: context), context: context)
    }
}

/// 1x1 reduce -> 3x3 (strided) -> 1x1 expand (x4), with a projected shortcut when shapes change.
final class Bottleneck: Module {
    private let conv1: Conv2d, bn1: BatchNorm2d, conv2: Conv2d, bn2: BatchNorm2d, conv3: Conv2d, bn3: BatchNorm2d
    /// The projected shortcut, "downsample.0" and "downsample.1" as in torchvision.
    private let downsample: (conv: Conv2d, norm: BatchNorm2d)?

    init(_ inChannels: Int, width: Int, stride: Int, generator g: inout SeededGenerator) {
        conv1 = Conv2d(inChannels: inChannels, outChannels: width, kernelSize: (1, 1), bias: false, generator: &g)
        bn1 = BatchNorm2d(features: width)
        conv2 = Conv2d(inChannels: width, outChannels: width, kernelSize: (3, 3), stride: (stride, stride),
                       padding: .symmetric(height: 1, width: 1), bias: false, generator: &g)
        bn2 = BatchNorm2d(features: width)
        conv3 = Conv2d(inChannels: width, outChannels: width * 4, kernelSize: (1, 1), bias: false, generator: &g)
        bn3 = BatchNorm2d(features: width * 4)
        downsample = stride != 1 || inChannels != width * 4
            ? (Conv2d(inChannels: inChannels, outChannels: width * 4, kernelSize: (1, 1), stride: (stride, stride),
                      bias: false, generator: &g),
               BatchNorm2d(features: width * 4))
            : nil
        super.init()
        for (name, layer) in [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("conv3", conv3), ("bn3", bn3)] as [(String, Module)] {
            registerChild(name, layer)
        }
        if let downsample {
            let shortcut = registerChild("downsample", Module())
            shortcut.registerChild("0", downsample.conv)
            shortcut.registerChild("1", downsample.norm)
        }
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        var shortcut = x
        if let downsample {
            shortcut = downsample.conv.forward(x, normalizedBy: downsample.norm, context: context)
        }
        var y = conv1.forward(x, normalizedBy: bn1, activation: .relu, context: context)
        y = conv2.forward(y, normalizedBy: bn2, activation: .relu, context: context)
        return conv3.forward(y, normalizedBy: bn3, adding: shortcut, activation: .relu, context: context)
    }
}
