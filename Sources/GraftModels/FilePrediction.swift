import Foundation
import GraftData

/// One image file's top predictions, or why it could not be read: what `graft classify` and
/// `graft predict` report per file, so one broken image never aborts a folder.
public struct FilePrediction: Codable, Equatable, Sendable {
    public let file: String
    /// Most probable first; empty when `error` says why there are none.
    public let predictions: [Prediction]
    public let error: String?

    public init(file: String, predictions: [Prediction], error: String? = nil) {
        self.file = file
        self.predictions = predictions
        self.error = error
    }

    public init(file: String, result: Result<[Prediction], ImageDecodingError>) {
        switch result {
        case .success(let predictions): self.init(file: file, predictions: predictions)
        case .failure(let error): self.init(file: file, predictions: [], error: error.description)
        }
    }
}

extension Backbone {
    /// The top `k` ImageNet classes of each image file, decoded a batch at a time; a file that
    /// cannot be decoded gets its error in its place.
    public func classify(files: [URL], classes: [String], top k: Int = 5,
                         batchSize: Int = 16) -> [Result<[Prediction], ImageDecodingError>] {
        ImageDecoder.mapBatches(of: files, batchSize: batchSize) { classify($0, classes: classes, top: k, batchSize: batchSize) }
    }
}
