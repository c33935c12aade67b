import ArgumentParser
import Foundation
import Graft

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a model trained by graft train.")

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "A model folder written by graft train (OUT/model).") var model: String
    @Argument(help: "JPEG or PNG files.") var images: [String]
    @Option(help: "How many classes to show per image.") var top = 5
    @Flag(help: "Print JSON: [{\"file\", \"predictions\": [{\"index\", \"label\", \"probability\"}]}].") var json = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
        guard top > 0 else { throw ValidationError("--top must be at least 1, not \(top)") }
    }

    func run() throws {
        try runtime.apply()
        let classifier = try ImageClassifier.load(from: URL(fileURLWithPath: model))
        let decoded = try images.map { try ImageDecoder.decode(contentsOf: URL(fileURLWithPath: $0)) }
        try printPredictions(classifier.predict(decoded, top: min(top, classifier.classNames.count)), for: images, json: json)
    }
}
