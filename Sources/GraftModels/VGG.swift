import GraftCore
import GraftData
import GraftNN

/// torchvision's VGG16 and VGG19 (no BatchNorm): `features.N` for the convolutions and
/// `classifier.0/3/6` for the three dense layers.
///
/// The ImageNet classifier needs the 7x7 map of a 224x224 input; the transfer-learning features
/// are the global average of the last convolution block (Keras' `pooling="avg"`), any size.
public final class VGG: Module, Backbone {
    /// The two depths torchvision ships ImageNet weights for (without BatchNorm).
    public enum Depth: String, CaseIterable, Sendable {
        case vgg16, vgg19

        /// (channels, convolutions) of the five stages, each closed by a 2x2 max pooling.
        var stages: [(width: Int, count: Int)] {
            let deep = self == .vgg19 ? 4 : 3
            return [(64, 2), (128, 2), (256, deep), (512, deep), (512, deep)]
        }
    }

    public let depth: Depth
    /// Keras' VGG is torchvision's network under other names and layouts, with caffe-style preprocessing.
    public let flavor: Flavor
    public var architecture: String { flavor.architecture(depth.rawValue) }
    public let featureWidth = 512
    private let convolutions: [(index: Int, conv: Conv2d)]
    /// The convolutions (by index in `features`) after which a 2x2 max pooling closes a stage.
    private let poolAfter: Set<Int>
    private let fc1: Linear, fc2: Linear, fc3: Linear
    private let dropout = Dropout(0.5)

    /// `hiddenWidth` is the width of the classifier's two hidden layers: 4096 in the ImageNet
    /// model, 1 in a feature extractor that never runs them.
    public init(_ depth: Depth, flavor: Flavor = .torchvision, classes: Int = 1000, hiddenWidth: Int = 4096, seed: UInt64 = 0) {
        self.depth = depth
        self.flavor = flavor
        var g = SeededGenerator(seed: seed)
        var convs: [(Int, Conv2d)] = [], stageEnds: Set<Int> = []
        var index = 0, inChannels = 3
        for (width, count) in depth.stages {
            for _ in 0..<count {
                convs.append((index, Conv2d(inChannels: inChannels, outChannels: width, kernelSize: (3, 3),
                                            padding: .symmetric(height: 1, width: 1), generator: &g)))
                inChannels = width
                index += 2  // the ReLU after each convolution takes an index of its own in torchvision
            }
            stageEnds.insert(index - 2)
            index += 1  // and so does the max pooling that ends a stage
        }
        convolutions = convs
        poolAfter = stageEnds
        fc1 = Linear(inFeatures: 512 * 7 * 7, outFeatures: hiddenWidth, generator: &g)
        fc2 = Linear(inFeatures: hiddenWidth, outFeatures: hiddenWidth, generator: &g)
        fc3 = Linear(inFeatures: hiddenWidth, outFeatures: classes, generator: &g)
        super.init()
        let features = registerChild("features", Module())
        for (i, conv) in convs { features.registerChild(String(i), conv) }
        let classifier = registerChild("classifier", Module())
        classifier.registerChild("0", fc1)
        classifier.registerChild("3", fc2)
        classifier.registerChild("6", fc3)
    }

    public var blockGroups: [BlockGroup] {
        // One group per stage, ending at each max pooling.
        var groups: [BlockGroup] = [], current: [String] = []
        for (index, _) in convolutions {
            current.append("features.\(index)")
            if poolAfter.contains(index) {
                groups.append(BlockGroup(name: "blocks.\(groups.count)", prefixes: current))
                current = []
            }
        }
        return groups
    }

    public var preprocessing: Preprocessing { flavor == .keras ? .caffe : .imageNet }

    public var classifierPrefixes: [String] { ["classifier."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = x
        for (index, conv) in convolutions {
            y = conv.forward(y, normalizedBy: nil, activation: .relu, context: context)
            if poolAfter.contains(index) { y = maxPool2d(y, kernel: (2, 2)) }
        }
        return y
    }

    /// Five 2x2 max poolings, each rounding down: 150 px gives a 4x4 map (as in Keras).
    public func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (height >> 5, width >> 5)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        let map = featureMap(x, context: context)
        precondition(map.shape[2] == 7 && map.shape[3] == 7,
                     "\(architecture)'s ImageNet classifier needs a 224x224 input (7x7 features), got \(x.shape)")
        var y = dropout(relu(fc1(flatten(map), context: context)), context: context)
        y = dropout(relu(fc2(y, context: context)), context: context)
        return fc3(y, context: context)
    }
}

extension VGG: KerasBuilt {
    /// Keras' names: block1_conv1 ... block5_conv3, then fc1, fc2 and predictions.
    public var kerasVariables: [KerasVariable] {
        var variables: [KerasVariable] = []
        var remaining = convolutions[...]
        for (stage, (_, count)) in depth.stages.enumerated() {
            for k in 0..<count {
                let index = remaining.removeFirst().index
                variables += KerasVariable.convolution("block\(stage + 1)_conv\(k + 1)", "features.\(index)")
            }
        }
        return variables
            + KerasVariable.dense("fc1", "classifier.0", layout: .denseKernelAfterFlatten(channels: 512, height: 7, width: 7))
            + KerasVariable.dense("fc2", "classifier.3") + KerasVariable.dense("predictions", "classifier.6")
    }
}
