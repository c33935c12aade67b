import GraftData
import GraftModels

/// The config.json of a saved model: everything needed to rebuild the classifier before its
/// weights are loaded from model.safetensors.
public struct ModelConfiguration: Codable, Equatable, Sendable {
    public var format: String
    public var backbone: String
    public var head: HeadConfiguration
    public var classNames: [String]
    public var inputSize: [Int]
    public var preprocessing: PreprocessingDescription
    public var batchNorm: BatchNormMode

    enum CodingKeys: String, CodingKey {
        case format, backbone, head, preprocessing
        case classNames = "class_names", inputSize = "input_size", batchNorm = "batch_norm"
    }

    public static let currentFormat = "graft-image-classifier-1"

    public init(_ classifier: ImageClassifier) {
        format = Self.currentFormat
        backbone = classifier.backboneKind.rawValue
        head = classifier.headConfiguration
        classNames = classifier.classNames
        inputSize = [classifier.preprocessing.height, classifier.preprocessing.width]
        preprocessing = PreprocessingDescription(classifier.preprocessing)
        batchNorm = classifier.batchNormMode
    }
}

extension HeadConfiguration {
    enum CodingKeys: String, CodingKey {
        case hiddenUnits = "hidden_units", dropout
    }
}
