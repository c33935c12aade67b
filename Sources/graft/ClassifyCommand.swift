import ArgumentParser
import Foundation
import Graft

struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a pretrained ImageNet model.",
        discussion: "Prints the most probable of ImageNet's 1000 classes for each image.")

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "JPEG or PNG files.") var images: [String]
    @Option(help: "Backbone: \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backbone: String = BackboneKind.efficientNetLite0.rawValue
    @Option(help: "A checkpoint to use instead of the fetched weights (PyTorch .pth or .safetensors).")
    var weights: String?
    @Option(help: "How many classes to show per image.") var top = 5
    @Flag(help: "Print JSON: [{\"file\", \"predictions\": [{\"index\", \"label\", \"probability\"}]}].") var json = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard top > 0 else { throw ValidationError("--top must be at least 1, not \(top)") }
        guard BackboneKind(rawValue: backbone) != nil else {
            throw ValidationError("unknown backbone '\(backbone)'; choose one of \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        try runtime.apply()
        let kind = BackboneKind(rawValue: backbone)!
        let model = try kind.pretrained(weights: weights.map { URL(fileURLWithPath: $0) })
        let classes = try ImageNetClasses.load()
        let decoded = try images.map { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: $0)) }
        try printPredictions(model.classify(decoded, classes: classes, top: top), for: images, json: json)
    }
}

/// The JSON shape `classify` and `predict` share.
struct FilePredictions: Encodable {
    let file: String
    let predictions: [Prediction]
}

/// Each image's top predictions, as JSON or as lines, the way `classify` and `predict` show them.
func printPredictions(_ predictions: [[Prediction]], for images: [String], json: Bool) throws {
    if json {
        try printJSON(zip(images, predictions).map { FilePredictions(file: $0, predictions: $1) })
        return
    }
    for (file, top) in zip(images, predictions) {
        print(file)
        for p in top { print(String(format: "  %6.2f%%  %@ (%d)", p.probability * 100, p.label, p.index)) }
    }
}

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
