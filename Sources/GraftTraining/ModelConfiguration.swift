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
    /// The temperature predictions use; absent (T = 1) in files written before calibration
    /// existed and for uncalibrated models, so those still load and predict as they did.
    public var calibration: Calibration?

    enum CodingKeys: String, CodingKey {
        case format, backbone, head, preprocessing, calibration
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
        calibration = classifier.calibration
    }
}

extension HeadConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case hiddenUnits = "hidden_units", dropout, output, pooling, threshold
    }

    /// A config.json written before `output` existed holds a softmax head; one written before
    /// `pooling` existed, a head on the global average. Only a multi-label head has a threshold.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(hiddenUnits: try container.decode([Int].self, forKey: .hiddenUnits),
                  dropout: try container.decode(Float.self, forKey: .dropout),
                  output: try container.decodeIfPresent(HeadOutput.self, forKey: .output) ?? .softmax,
                  pooling: try container.decodeIfPresent(HeadPooling.self, forKey: .pooling) ?? .avg,
                  threshold: try container.decodeIfPresent(Float.self, forKey: .threshold) ?? HeadConfiguration.defaultThreshold)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(hiddenUnits, forKey: .hiddenUnits)
        try container.encode(dropout, forKey: .dropout)
        try container.encode(output, forKey: .output)
        try container.encode(pooling, forKey: .pooling)
        if output.isMultiLabel { try container.encode(threshold, forKey: .threshold) }
    }
}
