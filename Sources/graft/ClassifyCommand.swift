import ArgumentParser
import Foundation
import Graft

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a pretrained ImageNet model.",
        discussion: "Prints the most probable of ImageNet's 1000 classes for each image. An image that cannot be read "
            + "is named on standard error and in the output; the others are still classified, and the command then "
            + "exits with status 1.")

    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var inputs: ImageInputOptions
    @Option(help: "Backbone: \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backbone: String = BackboneKind.efficientNetLite0.rawValue
    @Option(help: "A checkpoint to use instead of the fetched weights (PyTorch .pth or .safetensors).")
    var weights: String?

    func validate() throws {
        guard BackboneKind(rawValue: backbone) != nil else {
            throw ValidationError("unknown backbone '\(backbone)'; choose one of \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try runtime.apply()
        let list = try inputs.files()
        let kind = BackboneKind(rawValue: backbone)!
        let model = try kind.pretrained(weights: weights.map { URL(fileURLWithPath: $0) })
        let classes = try ImageNetClasses.load()
        try inputs.report(model.classify(files: list.entries.map(\.url), classes: classes, top: inputs.top), for: list)
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
