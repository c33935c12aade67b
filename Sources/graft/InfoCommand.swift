import ArgumentParser
import Foundation
import Graft

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print Graft's version, the oneDNN version, the instruction set oneDNN uses, the thread count and how OpenMP threads wait; with MODEL, what a saved model is.",
        discussion: "With MODEL (a folder written by graft train), also its backbone, classes, input size, head and calibration: "
            + "the temperature its predictions divide the logits by, and the expected calibration error and validation loss it had before and after.")

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "A model folder written by graft train (OUT/model).") var model: String?

    func run() throws {
        try runtime.apply()
        print("graft       \(graftVersion)")
        print("oneDNN      \(Engine.dnnlVersion)")
        print("CPU ISA     \(Engine.detectedISA) (activations in nChw\(Tensor.preferredChannelBlock)c)")
        print("inference   \(InferenceKernels.description)")
        print("threads     \(Engine.threadCount)")
        print("OpenMP wait \(OpenMPWaitPolicy.description)")
        guard let model else { return }
        let folder = URL(fileURLWithPath: model)
        let classifier = try ImageClassifier.load(from: folder)
        print("model       \(folder.path)")
        print("backbone    " + (classifier.summary().split(separator: "\n").first.map(String.init) ?? classifier.backboneKind.rawValue))
        let names = classifier.classNames.prefix(20).joined(separator: ", ") + (classifier.classNames.count > 20 ? ", ..." : "")
        print("classes     \(classifier.classNames.count): \(names)")
        print("calibration " + (classifier.calibration?.summary ?? "none: the probabilities are the softmax of the logits (T = 1)"))
    }
}
