import ArgumentParser
import Foundation
import Graft

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained model on an image folder: loss, accuracy, top-k, per-class metrics, confusion matrix.")

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "A model folder written by graft train (OUT/model).") var model: String
    @Argument(help: "An image folder with one sub-folder per class (the model's classes).") var data: String
    @Option(help: "k of the top-k accuracy.") var top = 5
    @Option(help: "Batch size.") var batchSize = 32
    @Flag(help: "Print JSON with accuracy, loss, top_k_accuracy, per_class and confusion_matrix.") var json = false

    func run() throws {
        try runtime.apply()
        let classifier = try ImageClassifier.load(from: URL(fileURLWithPath: model))
        let folder = try ImageFolder(root: URL(fileURLWithPath: data))
        // A folder with splits is evaluated on its test split, else its validation split.
        let dataset = folder.layout == .classFolders ? folder.train : (folder.test ?? folder.validation ?? folder.train)
        let report = try classifier.evaluate(on: dataset, topK: top, batchSize: batchSize)
        if json { try printJSON(report) } else { print(report.text) }
    }
}
