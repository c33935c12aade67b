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
    @Option(help: ArgumentHelp("Test-time augmentation: average the predictions of the image and its mirror (flip), or of torchvision's ten crops (ten-crop).",
                               valueName: "views"))
    var tta: TestTimeAugmentation?
    @Option(help: ArgumentHelp("Multi-label models: report every class whose probability is at least this (default: the model's threshold).",
                               valueName: "p"))
    var threshold: Double?
    @Option(help: ArgumentHelp("Also write each image's Grad-CAM heat map (where the model looked for the class it predicted), drawn over the image as the model sees it, as a PNG in this folder.",
                               valueName: "dir"))
    var explain: String?

    func validate() throws {
        if let threshold { try renamingSettings(["threshold": "--threshold"]) { try checkSetting("threshold", threshold, in: .open(0, 1)) } }
    }

    func run() throws {
        try runtime.apply()
        let list = try inputs.files()
        let classifier = try ImageClassifier.load(from: URL(fileURLWithPath: model))
        if threshold != nil && !classifier.isMultiLabel {
            throw CommandFailure("--threshold is for multi-label models; \(model) has a \(classifier.headConfiguration.output.rawValue) head")
        }
        let top = min(inputs.top, classifier.classNames.count)
        if let explain {
            let written = try classifier.writeExplanations(files: list.entries.map(\.url), to: URL(fileURLWithPath: explain))
            printToStandardError("heat maps: \(written.filter { (try? $0.get()) != nil }.count) PNGs in \(explain)")
        }
        try inputs.report(classifier.predict(files: list.entries.map(\.url), top: top, augmentation: tta, threshold: threshold), for: list,
                          nothingAbove: classifier.isMultiLabel ? threshold ?? Double(classifier.headConfiguration.threshold) : nil)
    }
}
