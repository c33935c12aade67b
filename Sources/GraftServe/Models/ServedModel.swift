import Foundation
import GraftData
import GraftModels
import GraftTraining

/// A model the server answers for: its executor (the one owner of the network), what it
/// expects as input and what its outputs mean.
public final class ServedModel: Sendable {
    /// The name in URLs (`/v2/models/NAME`).
    public let name: String
    public let classNames: [String]
    public let preprocessing: Preprocessing
    /// Where it came from, for the server's metadata and log: a folder, or "pretrained NAME".
    public let origin: String
    /// How logits become probabilities and predictions: a softmax, or for a multi-label model
    /// a sigmoid per class with the classes at or above `threshold` predicted.
    public let output: HeadOutput
    public let threshold: Double
    let executor: InferenceExecutor

    /// (C, H, W) of one preprocessed example.
    public var inputShape: [Int] { executor.inputShape }

    public init(name: String, classNames: [String], preprocessing: Preprocessing, origin: String, executor: InferenceExecutor,
                output: HeadOutput = .softmax, threshold: Double = Double(HeadConfiguration.defaultThreshold)) {
        self.name = name
        self.output = output
        self.threshold = threshold
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.origin = origin
        self.executor = executor
    }

    /// A model folder written by `graft train` (OUT/model).
    public static func trained(name: String, folder: URL) throws -> ServedModel {
        let classifier = try ImageClassifier.load(from: folder)
        return ServedModel(name: name, classNames: classifier.classNames, preprocessing: classifier.preprocessing,
                           origin: folder.path, executor: InferenceExecutor(classifier: classifier),
                           output: classifier.headConfiguration.output, threshold: Double(classifier.headConfiguration.threshold))
    }

    /// What `graft predict` reports for each row of `logits`: the top `k`, or for a multi-label
    /// model the classes at or above the threshold.
    func predictions(logits: InferenceOutput, top k: Int) -> [[Prediction]] {
        output.predictions(logits: logits.values, classes: classNames, top: k, threshold: threshold)
    }

    /// An ImageNet classifier with its pretrained weights, as `graft classify` uses it.
    public static func pretrained(_ kind: BackboneKind, name: String? = nil, weights: URL? = nil,
                                  cache: WeightsCache = WeightsCache()) throws -> ServedModel {
        let backbone = try kind.pretrained(weights: weights, cache: cache)
        let classes = try ImageNetClasses.load(cache: cache)
        return ServedModel(name: name ?? kind.rawValue, classNames: classes, preprocessing: backbone.preprocessing,
                           origin: "pretrained \(kind.rawValue)", executor: InferenceExecutor(backbone: backbone))
    }
}
