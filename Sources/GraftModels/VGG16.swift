import GraftCore
import GraftData
import GraftNN

/// VGG16 (no BatchNorm) with torchvision's names: `features.N` for the thirteen convolutions
/// and `classifier.0/3/6` for the three dense layers.
///
/// The ImageNet classifier needs the 7x7 map of a 224x224 input; the transfer-learning features
/// are the global average of the last convolution block (Keras' `pooling="avg"`), any size.
public final class VGG16: Module, Backbone {
    public let architecture = "vgg16"
    public let featureWidth = 512
    private let convolutions: [(index: Int, conv: Conv2d)]
    /// The convolutions (by index in `features`) after which a 2x2 max pooling closes a stage.
    private static let poolAfter: Set<Int> = [2, 7, 14, 21, 28]
    private let fc1: Linear, fc2: Linear, fc3: Linear
    private let dropout = Dropout(0.5)

    public init(classes: Int = 1000, seed: UInt64 = 0) {
        var g = SeededGenerator(seed: seed)
        var convs: [(Int, Conv2d)] = []
        var index = 0, inChannels = 3
        for (width, count) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)] {
            for _ in 0..<count {
                convs.append((index, Conv2d(inChannels: inChannels, outChannels: width, kernelSize: (3, 3),
                                            padding: .symmetric(height: 1, width: 1), generator: &g)))
                inChannels = width
                index += 2  // the ReLU after each convolution takes an index of its own in torchvision
            }
            index += 1  // and so does the max pooling that ends a stage
        }
        convolutions = convs
        fc1 = Linear(inFeatures: 512 * 7 * 7, outFeatures: 4096, generator: &g)
        fc2 = Linear(inFeatures: 4096, outFeatures: 4096, generator: &g)
        fc3 = Linear(inFeatures: 4096, outFeatures: classes, generator: &g)
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
            if Self.poolAfter.contains(index) {
                groups.append(BlockGroup(name: "blocks.\(groups.count)", prefixes: current))
                current = []
            }
        }
        return groups
    }

    public var preprocessing: Preprocessing { .imageNet }

    public var classifierPrefixes: [String] { ["classifier."] }

    public func featureMap(_ x: Tensor, context: ForwardContext) -> Tensor {
        var y = x
        for (index, conv) in convolutions {
            y = conv.forward(y, normalizedBy: nil, activation: .relu, context: context)
            if Self.poolAfter.contains(index) { y = maxPool2d(y, kernel: (2, 2)) }
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
                     "VGG16's ImageNet classifier needs a 224x224 input (7x7 features), got \(x.shape)")
        var y = dropout(relu(fc1(flatten(map), context: context)), context: context)
        y = dropout(relu(fc2(y, context: context)), context: context)
        return fc3(y, context: context)
    }
}
