import ArgumentParser
import Foundation
import Graft

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify images with a model trained by graft train.",
        discussion: "An image that cannot be read is named on standard error and in the output; the others are still "
            + "classified, and the command then exits with status 1.")

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "A model folder written by graft train (OUT/model).") var model: String
    @OptionGroup var inputs: ImageInputOptions

    func run() throws {
        try runtime.apply()
        let list = try inputs.files()
        let classifier = try ImageClassifier.load(from: URL(fileURLWithPath: model))
        let top = min(inputs.top, classifier.classNames.count)
        try inputs.report(classifier.predict(files: list.entries.map(\.url), top: top), for: list)
    }
}
