import Foundation
import GraftCheckpoint
import GraftModels

extension ImageClassifier {
    public static let configurationFileName = "config.json"
    public static let weightsFileName = "model.safetensors"

    /// Writes `directory/config.json` and `directory/model.safetensors` (parameters and BatchNorm
    /// statistics), each atomically.
    public func save(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Safetensors.write(Checkpoint(namedTensors: stateTensors(), metadata: ["format": ModelConfiguration.currentFormat]),
                              to: directory.appendingPathComponent(Self.weightsFileName))
        try writeJSON(ModelConfiguration(self), to: directory.appendingPathComponent(Self.configurationFileName))
    }

    /// A classifier saved by `save(to:)`, with its backbone, head, classes and preprocessing.
    public static func load(from directory: URL) throws -> ImageClassifier {
        let configURL = directory.appendingPathComponent(configurationFileName)
        let weightsURL = directory.appendingPathComponent(weightsFileName)
        for url in [configURL, weightsURL] where !FileManager.default.fileExists(atPath: url.path) {
            throw SavedModelError.missingFile(path: url.path)
        }
        let configuration: ModelConfiguration
        do {
            configuration = try JSONDecoder().decode(ModelConfiguration.self, from: Data(contentsOf: configURL))
        } catch {
            throw SavedModelError.unreadable(file: configURL.path, reason: "\(error)")
        }
        guard let kind = BackboneKind(rawValue: configuration.backbone) else {
            throw SavedModelError.invalidValue(file: configURL.path, key: "backbone", value: configuration.backbone)
        }
        guard !configuration.classNames.isEmpty else {
            throw SavedModelError.invalidValue(file: configURL.path, key: "class_names", value: "[]")
        }
        if configuration.head.output == .sigmoid && configuration.classNames.count != 2 {
            throw SavedModelError.invalidValue(file: configURL.path, key: "head.output",
                                               value: "sigmoid (with \(configuration.classNames.count) classes; it needs 2)")
        }
        let preprocessing = try configuration.preprocessing.preprocessing(source: configURL.path)
        let classifier = ImageClassifier(backbone: kind.makeFeatureExtractor(), kind: kind, classNames: configuration.classNames,
                                         head: configuration.head, preprocessing: preprocessing)
        classifier.batchNormMode = configuration.batchNorm
        try Checkpoint.read(contentsOf: weightsURL).load(into: classifier.stateTensors())
        return classifier
    }
}

/// JSON with sorted keys, written atomically (temporary file and rename).
func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(value).write(to: url, options: .atomic)
}
