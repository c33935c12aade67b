import Foundation
import GraftFiles

/// Predictions of many files written as a table, chosen by the file's extension:
///
/// - `.csv`: a header, then one row per image and rank, `file,rank,label,index,probability,error`
///   (rank 1 is the most probable); an image that could not be read has one row with only `file`
///   and `error`, and one without predictions (a multi-label model's, none above its threshold)
///   a row with only `file`.
/// - `.jsonl`: one JSON object per image and line, `{"file", "predictions": [{"index", "label",
///   "probability"}]}`, with `"error"` in place of predictions for an image that could not be read.
///
/// The file is replaced as a whole (written beside it, then renamed), never left half written.
public enum PredictionsFile {
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case jsonLines = "jsonl"

        /// The format of `url` by its extension (any case); nil for any other.
        public init?(url: URL) {
            self.init(rawValue: url.pathExtension.lowercased())
        }
    }

    public static func write(_ predictions: [FilePrediction], to url: URL) throws {
        guard let format = Format(url: url) else { throw PredictionsFileError.unknownExtension(path: url.path) }
        let text = format == .csv ? csv(predictions) : try jsonLines(predictions)
        do {
            try writeAtomically(text, to: url)
        } catch let error as FileSystemError {
            throw PredictionsFileError.unwritable(path: url.path, reason: error.reason)
        }
    }

    public static func csv(_ predictions: [FilePrediction]) -> String {
        var lines = ["file,rank,label,index,probability,error"]
        for file in predictions {
            if let error = file.error {
                lines.append([csvField(file.file), "", "", "", "", csvField(error)].joined(separator: ","))
            } else if file.predictions.isEmpty {
                // A multi-label model may predict no class: the image still has its row.
                lines.append([csvField(file.file), "", "", "", "", ""].joined(separator: ","))
            }
            for (rank, p) in file.predictions.enumerated() {
                lines.append([csvField(file.file), String(rank + 1), csvField(p.label), String(p.index),
                              String(format: "%.6f", p.probability), ""].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func jsonLines(_ predictions: [FilePrediction]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try predictions.map { String(decoding: try encoder.encode($0), as: UTF8.self) + "\n" }.joined()
    }

    /// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    public static func csvField(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

public enum PredictionsFileError: Error, Equatable, CustomStringConvertible {
    case unknownExtension(path: String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownExtension(let path):
            return "\(path): the extension says neither .csv nor .jsonl, the formats predictions are written in"
        case .unwritable(let path, let reason):
            return "\(path): cannot write the predictions (\(reason))"
        }
    }
}
