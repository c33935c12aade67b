/// What a backbone's feature map looks like, known from its kind alone: options can be checked
/// against it before hundreds of megabytes of weights are built or read.
extension BackboneKind {
    /// The channels of the last feature map (`Backbone.featureWidth`).
    public var featureWidth: Int {
        switch self {
        case .efficientNetLite0, .efficientNetLite1, .efficientNetLite2, .mobileNetV2, .mobileNetV2Keras: return 1280
        case .resNet18, .resNet34: return 512
        case .resNet50, .resNet101, .resNet152, .resNet50Keras: return 2048
        case .efficientNetB0, .efficientNetB0Keras: return EfficientNet.Variant.b0.featureWidth
        case .efficientNetB1: return EfficientNet.Variant.b1.featureWidth
        case .efficientNetB2: return EfficientNet.Variant.b2.featureWidth
        case .efficientNetB3: return EfficientNet.Variant.b3.featureWidth
        case .mobileNetV3Large: return MobileNetV3.Variant.large.featureWidth
        case .mobileNetV3Small: return MobileNetV3.Variant.small.featureWidth
        case .vgg16, .vgg19, .vgg16Keras: return 512
        case .convNeXtTiny: return ConvNeXt.featureWidth
        case .denseNet121: return DenseNet.featureWidth
        }
    }

    /// The square input size the pretrained weights were trained at.
    public var pretrainedImageSize: Int {
        switch self {
        case .efficientNetLite1: return 240
        case .efficientNetLite2: return 260
        case .efficientNetB0: return EfficientNet.Variant.b0.inputSize
        case .efficientNetB1: return EfficientNet.Variant.b1.inputSize
        case .efficientNetB2: return EfficientNet.Variant.b2.inputSize
        case .efficientNetB3: return EfficientNet.Variant.b3.inputSize
        default: return 224
        }
    }

    /// The spatial size of the last feature map for an input of `height` x `width`
    /// (`Backbone.featureMapSize`): five stride-2 stages, which VGG's max poolings round down
    /// and the others' padded convolutions round up (EfficientNet's and MobileNetV3's 3x3 and 5x5
    /// ones too: padding k / 2 makes each ceil(n / 2)). ConvNeXt's unpadded 4x4 stem and 2x2
    /// downsamplings round down; DenseNet's padded stem and max pooling round up, its three
    /// transitions' 2x2 average poolings down.
    public func featureMapSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let roundingUp: Int
        switch self {
        case .vgg16, .vgg19, .vgg16Keras, .convNeXtTiny: roundingUp = 0
        case .denseNet121: roundingUp = 2
        default: roundingUp = 5
        }
        func reduced(_ n: Int) -> Int {
            let up = (0..<roundingUp).reduce(n) { side, _ in (side + 1) / 2 }
            return up >> (5 - roundingUp)
        }
        return (reduced(height), reduced(width))
    }

    /// The smallest square input whose feature map is not empty: 32 for VGG and ConvNeXt, whose
    /// poolings and strides round down; 29 for DenseNet, whose two rounding-up halvings must leave
    /// 8 for the three that round down.
    public var minimumImageSize: Int {
        switch self {
        case .vgg16, .vgg19, .vgg16Keras, .convNeXtTiny: return 32
        case .denseNet121: return 29
        default: return 1
        }
    }
}
