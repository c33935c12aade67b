import Foundation
import GraftFiles
import GraftCheckpoint
import GraftModels

extension ImageClassifier {
    public static let configurationFileName = "config.json"
    public static let weightsFileName = "model.safetensors"

    /// Writes `directory/config.json` and `directory/model.safetensors` (parameters and BatchNorm
    /// statistics). The folder is replaced as one unit: a reader (or a run that fails half-way)
    /// sees the complete old model or the complete new one, never weights beside a config that
    /// does not describe them.
    public func save(to directory: URL) throws {
        try FolderReplacement.replace(directory) { staging in
            try Safetensors.write(Checkpoint(namedTensors: stateTensors(), metadata: ["format": ModelConfiguration.currentFormat]),
                                  to: staging.appendingPathComponent(Self.weightsFileName))
            try writeJSON(ModelConfiguration(self), to: staging.appendingPathComponent(Self.configurationFileName))
        }
    }

    /// A classifier saved by `save(to:)`, with its backbone, head, classes and preprocessing.
    ///
    /// Every field of config.json is checked, and the weights must match it (the head's outputs
    /// against the class names) and be finite; errors name the file, the key and the value. A
    /// model being replaced meanwhile (by a training run) is read as one version, old or new.
    public static func load(from directory: URL) throws -> ImageClassifier {
        try FolderReplacement.readConsistently(directory) { try loadVersion(from: $0) }
    }

    private static func loadVersion(from directory: URL) throws -> ImageClassifier {
        let configURL = directory.appendingPathComponent(configurationFileName)
        let weightsURL = directory.appendingPathComponent(weightsFileName)
        for url in [configURL, weightsURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw SavedModelError.missingFile(path: url.path)
        }
        let configuration: ModelConfiguration
        do {
            configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(contentsOf: configURL))
        } catch let error as DecodingError {
            throw SavedModelError.unreadable(file: configURL.path, reason: error.sentence)
        } catch {
            throw SavedModelError.unreadable(file: configURL.path, reason: FileSystemError("read", configURL.path, error: error).reason)
        }
        let (kind, preprocessing) = try configuration.validated(source: configURL.path)
        let weights = try Checkpoint.read(contentsOf: weightsURL)
        try checkOutputs(of: weights, against: configuration, weightsFile: weightsURL.path, configFile: configURL.path)
        let classifier = ImageClassifier(backbone: kind.makeFeatureExtractor(), kind: kind, classNames: configuration.classNames,
                                         head: configuration.head, preprocessing: preprocessing)
        classifier.batchNormMode = configuration.batchNorm
        classifier.calibration = configuration.calibration
        // The backbone's ImageNet classifier never runs: models saved before VGG's shrank to one
        // unit per layer still load.
        try weights.load(into: classifier.stateTensors(),
                         skippingPrefixes: classifier.backbone.classifierPrefixes.map { "backbone." + $0 })
        return classifier
    }

    /// The head's last layer must have one output per class (one for a sigmoid head): a class
    /// list edited without the weights is caught here, with both files named.
    private static func checkOutputs(of weights: Checkpoint, against configuration: ModelConfiguration,
                                     weightsFile: String, configFile: String) throws {
        let outputs = configuration.head.output == .sigmoid ? 1 : configuration.classNames.count
        // The output layer is the head's last layer with weights.
        let headLayers = weights.tensors.compactMap { tensor -> (Int, CheckpointTensor)? in
            let parts = tensor.name.split(separator: ".")
            guard parts.count == 3, parts[0] == "head", parts[2] == "weight", let index = Int(parts[1]) else { return nil }
            return (index, tensor)
        }
        guard let (index, last) = headLayers.max(by: { $0.0 < $1.0 }), let rows = last.shape.first else { return }
        let key = "head.\(index).weight"
        guard rows == outputs else {
            throw SavedModelError.invalidValue(file: configFile, key: "class_names",
                                               value: "\(configuration.classNames.count) names, but \(weightsFile) has \(rows) outputs in '\(key)'")
        }
    }
}

extension DecodingError {
    /// What is wrong and where, in the file's own key names ("missing key 'dropout' at head").
    var sentence: String {
        func path(_ keys: [CodingKey]) -> String {
            keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch self {
        case let .keyNotFound(key, context): return "missing key '\(key.stringValue)' at \(path(context.codingPath))"
        case let .typeMismatch(type, context): return "\(path(context.codingPath)) is not a \(type)"
        case let .valueNotFound(type, context): return "\(path(context.codingPath)) is null, not a \(type)"
        case let .dataCorrupted(context):
            return context.codingPath.isEmpty ? "not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(self)"
        }
    }
}

/// JSON with sorted keys, written atomically (temporary file and rename).
func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try writeAtomically(encoder.encode(value), to: url)
}
