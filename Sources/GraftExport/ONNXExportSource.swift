import Graft

/// A model to export and what a consumer of the file needs to feed it: the pass to trace, the
/// class names, the preprocessing and the backbone's name.
///
/// Export traces `logits` (images (N, 3, height, width) to logits (N, classes)) rather than
/// reading an architecture description, so every Graft model exports the way it runs.
public struct ONNXExportSource {
    /// The module whose parameters and buffers name the constants of the trace.
    public let model: Module
    /// One inference pass; it must run the same ops for every batch size.
    public let logits: (Tensor, ForwardContext) -> Tensor
    public let classNames: [String]
    public let preprocessing: Preprocessing
    /// "efficientnet-lite0", ...
    public let architecture: String
    /// `.sigmoid` for a two-class head whose logits are [0, z]: its probabilities are then
    /// computed as sigmoids, not a softmax; `.multiLabel` for one sigmoid per class.
    public let headOutput: HeadOutput
    /// A multi-label head's threshold, recorded in the file's metadata for its consumers.
    public let threshold: Float?
    /// What the graph divides the traced logits by before its `logits` and `probabilities`
    /// outputs: a trained classifier's calibration temperature (1: the traced logits as they are).
    public let temperature: Double

    public init(model: Module, classNames: [String], preprocessing: Preprocessing, architecture: String,
                headOutput: HeadOutput = .softmax, threshold: Float? = nil, temperature: Double = 1,
                logits: @escaping (Tensor, ForwardContext) -> Tensor) {
        precondition(!classNames.isEmpty, "an exported classifier needs at least one class")
        precondition(headOutput != .sigmoid || classNames.count == 2, "a sigmoid head has two classes")
        precondition(temperature > 0 && temperature.isFinite, "a temperature must be positive and finite, not \(temperature)")
        self.model = model
        self.classNames = classNames
        self.preprocessing = preprocessing
        self.architecture = architecture
        self.headOutput = headOutput
        self.threshold = threshold
        self.temperature = temperature
        self.logits = logits
    }

    /// A classifier trained (or built) by Graft: backbone features, the new head, its classes,
    /// the preprocessing it was trained with and its calibration's temperature. `logits` traces
    /// the network itself; the graph adds the division by the temperature.
    public init(classifier: ImageClassifier) {
        self.init(model: classifier, classNames: classifier.classNames, preprocessing: classifier.preprocessing,
                  architecture: classifier.backboneKind.rawValue, headOutput: classifier.headConfiguration.output,
                  threshold: classifier.isMultiLabel ? classifier.headConfiguration.threshold : nil,
                  temperature: classifier.temperature) {
            classifier($0, context: $1)
        }
    }

    /// A backbone with its own (ImageNet) classifier, as `graft classify` runs it.
    public init(imageNet backbone: any Backbone, classNames: [String]) {
        self.init(model: backbone, classNames: classNames, preprocessing: backbone.preprocessing,
                  architecture: backbone.architecture) { backbone($0, context: $1) }
    }
}
