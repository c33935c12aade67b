/// What a backbone's feature map looks like, known from its kind alone: options can be checked
/// against it before hundreds of megabytes of weights are built or read.
extension BackboneKind {
    /// The channels of the last feature map (`Backbone.featureWidth`).
    public var featureWidth: Int {
        switch self {
        case .efficientNetLite0, .efficientNetLite1, .efficientNetLite2, .mobileNetV2: return 1280
        case .resNet18, .resNet34: return 512
        case .resNet50, .resNet101, .resNet152: return 2048
        case .vgg16, .vgg19, .vgg16Keras: return 512
        }
    }

    /// The square input size the pretrained weights were trained at.
    public var pretrainedImageSize: Int {
        switch self {
        case .efficientNetLite1: return 240
        case .efficientNetLite2: return 260
        default: return 224
        }
    }

    /// The spatial size of the last feature map for an input of `height` x `width`
    /// (`Backbone.featureMapSize`): five stride-2 stages, which VGG's max poolings round down
    /// and the others' padded convolutions round up.
    public func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int) {
        func reduced(_ n: Int) -> Int { isVGG ? n >> 5 : (0..<5).reduce(n) { side, _ in (side + 1) / 2 } }
        return (reduced(height), reduced(width))
    }

    /// The smallest square input whose feature map is not empty (32 for VGG, whose max
    /// poolings round down).
    public var minimumImageSize: Int { isVGG ? 32 : 1 }

    private var isVGG: Bool { self == .vgg16 || self == .vgg19 || self == .vgg16Keras }
}
