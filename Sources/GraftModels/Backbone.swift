import GraftCore
import GraftData
import GraftNN

/// A named group of layers that freezing can address: "stem", "blocks.0", ..., "head".
public struct BlockGroup: Sendable {
    public let name: String
    /// The parameter-key prefixes of the layers in the group.
    public let prefixes: [String]
}

/// An ImageNet-pretrained network whose classifier can be cut off and replaced.
///
/// Parameter names match the source checkpoint's keys, so pretrained weights load by a strict
/// match of names and shapes.
public protocol Backbone: Module {
    /// The name used on the command line and in saved models ("efficientnet-lite0").
    var architecture: String { get }
    /// Width of the pooled features, what a new head receives.
    var featureWidth: Int { get }
    /// The layers in order, grouped for freezing.
    var blockGroups: [BlockGroup] { get }
    /// How images must be sized and normalized for this network's pretrained weights.
    var preprocessing: Preprocessing { get }
    /// Key prefixes of the ImageNet classifier that transfer learning replaces.
    var classifierPrefixes: [String] { get }
    /// The last convolution block's output, before any pooling: (N, 3, H, W) images to
    /// (N, featureWidth, h, w), with (h, w) = `featureMapSize(height: H, width: W)`.
    func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor
    /// The spatial size of `featureMap` for an input of `height` x `width`: what a `flatten`
    /// head's input width depends on.
    func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int)
    /// Everything before the classifier: (N, 3, H, W) images to (N, featureWidth) pooled features
    /// (the global average of `featureMap`).
    func features(_ x: Tensor, context: ForwardContext) -> Tensor
}

extension Backbone {
    public func features(_ x: Tensor, context: ForwardContext) -> Tensor {
        globalAvgPool2d(featureMap(x, context: context))
    }

    /// Five stride-2 stages with padding, each of which rounds up (ceil(n / 2)): EfficientNet-Lite,
    /// MobileNetV2 and ResNet-50 (`BackboneKind.featureMapSize` says the same without an instance).
    public func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int) {
        func reduced(_ n: Int) -> Int { (0..<5).reduce(n) { side, _ in (side + 1) / 2 } }
        return (reduced(height), reduced(width))
    }

    /// Parameters and buffers of the feature extractor, without the ImageNet classifier.
    public func featureStateTensors() -> [(name: String, tensor: Tensor)] {
        stateTensors().filter { entry in !classifierPrefixes.contains { entry.name.hasPrefix($0) } }
    }

    /// The group names, in network order.
    public var blockNames: [String] { blockGroups.map(\.name) }

    /// Freezes every group, then unfreezes the last `count` (0 freezes the whole feature extractor).
    public func freezeAllBut(last count: Int) {
        let groups = blockGroups
        freeze(groups.flatMap(\.prefixes))
        unfreeze(groups.suffix(max(0, count)).flatMap(\.prefixes))
    }
}

/// conv -> BatchNorm -> optional activation, named "0", "1" as torchvision's Conv2dNormActivation.
final class ConvNormActivation: Module {
    let conv: Conv2d
    let norm: BatchNorm2d
    let activation: Activation?

    init(_ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1, groups: Int = 1,
         padding: Padding? = nil, epsilon: Float, momentum: Float = 0.1, activation: Activation?,
         generator: inout SeededGenerator) {
        conv = Conv2d(inChannels: inChannels, outChannels: outChannels, kernelSize: (kernel, kernel),
                      stride: (stride, stride), padding: padding ?? .symmetric(height: kernel / 2, width: kernel / 2),
                      groups: groups, bias: false, generator: &generator)
        norm = BatchNorm2d(features: outChannels, epsilon: epsilon, momentum: momentum)
        self.activation = activation
        super.init()
        registerChild("0", conv)
        registerChild("1", norm)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        conv.forward(x, normalizedBy: norm, activation: activation, context: context)
    }
}
