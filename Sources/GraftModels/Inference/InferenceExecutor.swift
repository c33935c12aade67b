import Foundation
import GraftCore
import GraftData
import GraftNN

/// The one owner of a model for inference: callers on any thread submit batches and get logits
/// back, and the model runs them one at a time on a thread of its own.
///
/// One pass at a time is what a model needs (its layers cache folded and reordered weights, and
/// oneDNN's kernels already use every core through OpenMP); callers queue in submission order.
/// Images are preprocessed on the caller's thread, so decoding and resizing of many requests
/// proceed in parallel while the model runs. Each pass runs without gradients, in inference mode,
/// with this executor's fusion setting, whatever the submitting thread's own settings are.
///
/// Hand the model over: while an executor serves it, nothing else may run or change it.
public final class InferenceExecutor: @unchecked Sendable {
    /// (C, H, W) of one example.
    public let inputShape: [Int]
    /// How images become inputs, when the executor takes images.
    public let preprocessing: Preprocessing?
    /// The largest batch accepted, when there is a limit.
    public let maxBatchSize: Int?
    public let fusion: Bool

    private let model: Module
    private let worker: SerialWorker

    /// - Parameters:
    ///   - model: maps (N, C, H, W) inputs to (N, outputs) logits with `model(x, context:)`.
    ///   - inputShape: (C, H, W) of one example; batches of another shape are refused.
    ///   - preprocessing: how `logits(for:)` turns images into inputs; nil takes tensors only.
    public init(model: Module, inputShape: [Int], preprocessing: Preprocessing? = nil, maxBatchSize: Int? = nil,
                fusion: Bool = LayerFusion.isEnabledByDefault) {
        precondition(inputShape.count == 3 && inputShape.allSatisfy { $0 > 0 }, "inputShape must be (C, H, W), not \(inputShape)")
        precondition(maxBatchSize.map { $0 > 0 } ?? true, "maxBatchSize must be positive")
        self.model = model
        self.inputShape = inputShape
        self.preprocessing = preprocessing
        self.maxBatchSize = maxBatchSize
        self.fusion = fusion
        worker = SerialWorker(name: "graft.inference")
    }

    /// An ImageNet backbone's own classifier, on images sized and normalized for its weights.
    public convenience init(backbone: any Backbone, maxBatchSize: Int? = nil, fusion: Bool = LayerFusion.isEnabledByDefault) {
        let preprocessing = backbone.preprocessing
        self.init(model: backbone, inputShape: [3, preprocessing.height, preprocessing.width], preprocessing: preprocessing,
                  maxBatchSize: maxBatchSize, fusion: fusion)
    }

    deinit { worker.stop() }

    /// The logits of `batch`, waiting for the passes submitted before it.
    public func logits(_ batch: InferenceBatch) throws -> InferenceOutput {
        try validate(batch)
        if worker.isCurrent { return evaluate(batch) }
        let done = DispatchSemaphore(value: 0)
        var output: InferenceOutput?
        worker.submit { [model, fusion] in
            output = Self.evaluate(batch, model: model, fusion: fusion)
            done.signal()
        }
        done.wait()
        return output!
    }

    /// The logits of `batch`, suspending instead of blocking while the model is busy.
    public func logits(_ batch: InferenceBatch) async throws -> InferenceOutput {
        try validate(batch)
        return await withCheckedContinuation { continuation in
            worker.submit { [model, fusion] in
                continuation.resume(returning: Self.evaluate(batch, model: model, fusion: fusion))
            }
        }
    }

    /// The logits of a tensor's values (N, C, H, W), as a new tensor.
    public func logits(_ images: Tensor) throws -> Tensor {
        let output = try logits(InferenceBatch(shape: images.shape, values: images.values))
        return Tensor(shape: output.shape, values: output.values)
    }

    /// The logits of decoded images, preprocessed on the calling thread.
    public func logits(for images: [RGBImage]) throws -> InferenceOutput {
        try logits(batch(of: images))
    }

    public func logits(for images: [RGBImage]) async throws -> InferenceOutput {
        try await logits(batch(of: images))
    }

    /// `images` preprocessed into one batch.
    public func batch(of images: [RGBImage]) throws -> InferenceBatch {
        guard let preprocessing else { throw InferenceError.noPreprocessing }
        let transform = ImageTransform(preprocessing: preprocessing)
        return InferenceBatch(shape: [images.count] + inputShape, values: images.flatMap { transform.render($0, seed: 0) })
    }

    private func validate(_ batch: InferenceBatch) throws {
        let shape = batch.shape
        guard batch.values.count == shape.reduce(1, *) else {
            throw InferenceError.valueCountMismatch(shape: shape, count: batch.values.count)
        }
        guard shape.count == 4, Array(shape.dropFirst()) == inputShape else {
            throw InferenceError.shapeMismatch(expected: inputShape, got: shape)
        }
        guard shape[0] > 0 else { throw InferenceError.emptyBatch }
        if let maxBatchSize, shape[0] > maxBatchSize { throw InferenceError.batchTooLarge(size: shape[0], limit: maxBatchSize) }
    }

    private func evaluate(_ batch: InferenceBatch) -> InferenceOutput {
        Self.evaluate(batch, model: model, fusion: fusion)
    }

    private static func evaluate(_ batch: InferenceBatch, model: Module, fusion: Bool) -> InferenceOutput {
        Engine.adoptThreadCount()
        let context = ForwardContext(training: false, fusion: fusion, recordsGradients: false)
        let logits = GradMode.withoutGradients { model(Tensor(shape: batch.shape, values: batch.values), context: context) }
        return InferenceOutput(shape: logits.shape, values: logits.values)
    }
}
