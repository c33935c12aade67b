import Foundation
import GraftData
import GraftModels

/// A served model with what stands in front of it: the batcher that gathers its requests and
/// the image preparation that decodes theirs. Both APIs and the page go through it.
final class ModelEndpoint: Sendable {
    let model: ServedModel
    private let batcher: DynamicBatcher
    private let preparation: ImagePreparation

    init(model: ServedModel, limits: BatchingLimits, decoding: DecodingOptions, observer: BatchObserver) {
        self.model = model
        batcher = DynamicBatcher(executor: model.executor, limits: limits, observer: observer)
        preparation = ImagePreparation(preprocessing: model.preprocessing, decoding: decoding)
    }

    /// Whether its warm-up passes have run.
    var isWarm: Bool { batcher.isWarm }

    /// Logits (N, classes) of encoded image files, decoded with the model's preprocessing.
    func logits(forFiles files: [(name: String, bytes: Data)]) async throws -> InferenceOutput {
        guard !files.isEmpty else { throw ServeError.badRequest("the request holds no images") }
        return try await batcher.logits(preparation.batch(of: files))
    }

    /// Logits (N, classes) of preprocessed inputs (N, C, H, W); `field` names them in errors.
    func logits(forTensor batch: InferenceBatch, field: String) async throws -> InferenceOutput {
        let expected = model.inputShape
        guard batch.shape.count == 4, Array(batch.shape.dropFirst()) == expected else {
            throw ServeError.badRequest("\(field).shape is \(batch.shape), but this model takes [N, \(expected.map(String.init).joined(separator: ", "))]")
        }
        guard batch.count > 0 else { throw ServeError.badRequest("\(field).shape \(batch.shape) holds no examples") }
        return try await batcher.logits(batch)
    }

    /// The class probabilities of each row, as `graft predict` computes them.
    func probabilities(_ output: InferenceOutput) -> [[Double]] {
        (0..<(output.shape.first ?? 0)).map { model.output.probabilities(output.row($0)) }
    }

    func stop() { batcher.stop() }
}
