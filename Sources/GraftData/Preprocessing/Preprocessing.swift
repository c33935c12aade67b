/// How a backbone wants its input: the description each pretrained model ships with, so the same
/// loader serves EfficientNet-Lite's (x - 127) / 128 and torchvision's ImageNet mean and std.
public struct Preprocessing: Sendable, Equatable {
    /// Output size in pixels (height, width).
    public var height: Int
    public var width: Int
    public var resize: ResizeRule
    public var filter: ResampleFilter
    public var normalization: Normalization
    public var channelOrder: ChannelOrder

    public init(height: Int, width: Int, resize: ResizeRule, filter: ResampleFilter = .bilinear,
                normalization: Normalization, channelOrder: ChannelOrder = .rgb) {
        precondition(height > 0 && width > 0, "input size must be positive")
        self.height = height
        self.width = width
        self.resize = resize
        self.filter = filter
        self.normalization = normalization
        self.channelOrder = channelOrder
    }

    /// torchvision's ImageNet evaluation transform: resize the shorter side to 256, center-crop
    /// 224, scale to [0, 1], subtract the ImageNet mean and divide by its std (MobileNetV2, ResNet).
    public static let imageNet = Preprocessing(height: 224, width: 224, resize: .shorterSideThenCenterCrop(256),
                                               normalization: .imageNet)

    /// Keras' `preprocess_input` for VGG and ResNet ("caffe"): BGR planes less the ImageNet mean
    /// in 0-255 units, no scaling; the whole image resized to 224x224 as Keras'
    /// `image_dataset_from_directory` does.
    public static let caffe = Preprocessing(height: 224, width: 224, resize: .stretch,
                                            normalization: .meanStd(mean: [123.68 / 255, 116.779 / 255, 103.939 / 255],
                                                                    std: [1 / 255, 1 / 255, 1 / 255]),
                                            channelOrder: .bgr)

    /// Keras' `preprocess_input` for MobileNet and MobileNetV2 ("tf"): x / 127.5 - 1, RGB; the
    /// whole image resized to 224x224.
    public static let kerasMobileNet = Preprocessing(height: 224, width: 224, resize: .stretch,
                                                     normalization: .scaleAndShift(offset: 127.5, scale: 1 / 127.5))

    /// EfficientNet-Lite at its input size (224, 240 or 260), as the reference numbers in
    /// shared/reference/golden were made: the central square of 224/256 of the shorter side,
    /// resized bicubic to the input size, then (x - 127) / 128.
    public static func efficientNetLite(inputSize: Int) -> Preprocessing {
        Preprocessing(height: inputSize, width: inputSize, resize: .centralSquareThenResize(fraction: 224.0 / 256),
                      filter: .bicubic, normalization: .scaleAndShift(offset: 127, scale: 1.0 / 128))
    }

    /// The shorter side the loader shrinks decoded images to before caching them: large enough
    /// that the resize rule (and random crops) never upsample what was a larger photo.
    var cacheShorterSide: Int {
        switch resize {
        case .shorterSideThenCenterCrop(let side): return max(side, height, width)
        case .stretch, .pad: return max(height, width)
        case .centralSquareThenResize(let fraction): return Int((Double(max(height, width)) / fraction).rounded(.up))
        }
    }
}

/// How an image of any size becomes height x width.
public enum ResizeRule: Sendable, Equatable {
    /// Resize (keeping the aspect ratio) so the shorter side is this long, then cut the central
    /// height x width (torchvision's Resize(256) + CenterCrop(224)).
    case shorterSideThenCenterCrop(Int)
    /// Resize straight to height x width, distorting the aspect ratio (Keras' default).
    case stretch
    /// Cut the central square whose side is `fraction` of the shorter side, then resize it to
    /// height x width (the EfficientNet reference preprocessing). The crop happens first, so the
    /// filter never reaches pixels outside the square.
    case centralSquareThenResize(fraction: Double)
    /// Resize keeping the aspect ratio so that the whole image fits height x width, centred on
    /// black (letterboxing: Keras' `pad_to_aspect_ratio`, TensorFlow's `resize_with_pad`):
    /// nothing is cut off and nothing distorted.
    case pad

    /// The region cut out before resizing, for rules that crop first (whole pixels).
    func cropFirst(sourceWidth: Int, sourceHeight: Int) -> (x: Int, y: Int, side: Int)? {
        guard case .centralSquareThenResize(let fraction) = self else { return nil }
        let side = max(1, Int(fraction * Double(min(sourceWidth, sourceHeight))))
        return ((sourceWidth - side + 1) / 2, (sourceHeight - side + 1) / 2, side)
    }

    /// The box of an image that becomes the output, in source pixel coordinates.
    func box(sourceWidth: Int, sourceHeight: Int, outputWidth: Int, outputHeight: Int) -> CropBox {
        switch self {
        case .stretch, .centralSquareThenResize, .pad:
            // A crop-first rule has already cut its square (see `cropFirst`).
            return CropBox(covering: sourceWidth, sourceHeight)
        case .shorterSideThenCenterCrop(let side):
            let (resizedWidth, resizedHeight) = Resampler.shorterSideSize(width: sourceWidth, height: sourceHeight,
                                                                           shorterSide: side)
            // torchvision rounds the crop offset to whole pixels of the resized image.
            let left = (Double(resizedWidth - outputWidth) / 2).rounded()
            let top = (Double(resizedHeight - outputHeight) / 2).rounded()
            let sx = Double(sourceWidth) / Double(resizedWidth), sy = Double(sourceHeight) / Double(resizedHeight)
            return CropBox(x: left * sx, y: top * sy, width: Double(outputWidth) * sx, height: Double(outputHeight) * sy)
        }
    }
}

/// How 0...255 pixel values become network inputs.
public enum Normalization: Sendable, Equatable {
    /// (x / 255 - mean[c]) / std[c] per channel, in RGB order.
    case meanStd(mean: [Float], std: [Float])
    /// (x - offset) * scale, for every channel.
    case scaleAndShift(offset: Float, scale: Float)

    public static let imageNet = Normalization.meanStd(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
    /// x / 255.
    public static let unit = Normalization.scaleAndShift(offset: 0, scale: 1.0 / 255)

    /// (scale, shift) per RGB channel such that output = x * scale + shift.
    var affine: [(scale: Float, shift: Float)] {
        switch self {
        case .meanStd(let mean, let std):
            precondition(mean.count == 3 && std.count == 3, "mean and std need three values (R, G, B)")
            return (0..<3).map { (1 / (255 * std[$0]), -mean[$0] / std[$0]) }
        case .scaleAndShift(let offset, let scale):
            return Array(repeating: (scale, -offset * scale), count: 3)
        }
    }
}

/// The order of the three channel planes in the batch tensor.
public enum ChannelOrder: String, Sendable {
    case rgb, bgr
}
