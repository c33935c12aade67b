import GraftCore
import GraftOptim

/// One optimization step on one batch, what Keras calls `train_step`: the loss of the logits,
/// backward, then (through `synchronizer`, when several workers train) the same gradients
/// everywhere, clipping, the optimizer update and the schedule's next rate.
///
/// With `workers`, each worker passes its slice of the batch and that slice's share of the
/// batch's loss; the step agrees on the whole batch's loss first (so every worker skips a
/// non-finite one together), seeds backward with the share, and the synchronizer sums the
/// workers' gradients. The optimizer takes the gradients only after
/// `synchronizer.synchronizeGradients()` has returned; until then backward has handed each
/// gradient over as soon as it was final.
public final class TrainStep {
    public let optimizer: any Optimizer
    public let scheduler: LearningRateScheduler
    public let labelSmoothing: Float
    public let classWeights: [Float]?
    /// One sigmoid per class with binary cross-entropy against `targets` (multi-hot, or mixed),
    /// instead of the softmax cross-entropy.
    public let multiLabel: Bool
    /// Rescale gradients to this global L2 norm; nil leaves them alone.
    public let gradientClipNorm: Float?
    public var synchronizer: (any GradientSynchronizer)?
    public let workers: (any WorkerGroup)?
    private let parametersByTensor: ParametersByTensor

    public init(optimizer: any Optimizer, scheduler: LearningRateScheduler, labelSmoothing: Float = 0,
                classWeights: [Float]? = nil, multiLabel: Bool = false, gradientClipNorm: Float? = nil,
                synchronizer: (any GradientSynchronizer)? = nil, workers: (any WorkerGroup)? = nil) {
        precondition(!(multiLabel && classWeights != nil), "class weights are for a softmax head, not a multi-label one")
        self.optimizer = optimizer
        self.multiLabel = multiLabel
        self.scheduler = scheduler
        self.labelSmoothing = labelSmoothing
        self.classWeights = classWeights
        self.gradientClipNorm = gradientClipNorm
        self.synchronizer = synchronizer
        self.workers = workers
        parametersByTensor = ParametersByTensor(optimizer.parameters)
        synchronizer?.prepare(optimizer.parameters)
    }

    /// Computes the loss of `logits` (a forward pass that recorded its backward) against
    /// `labels`, or against soft `targets` (N, classes) where MixUp or CutMix mixed the batch
    /// (for a multi-label step, always: multi-hot or mixed), and updates the parameters when it
    /// is finite. `share` is this worker's part of the whole batch's loss (1 for one process).
    /// Returns the whole batch's loss; a non-finite one leaves every parameter and the optimizer
    /// as they were.
    public func callAsFunction(_ logits: Tensor, labels: [Int], targets: Tensor? = nil, share: Double = 1) throws -> Float {
        let loss: Tensor
        if multiLabel {
            guard let targets else { preconditionFailure("a multi-label step needs the batch's targets") }
            loss = sigmoidCrossEntropy(logits, targets: targets, labelSmoothing: labelSmoothing)
        } else {
            loss = targets.map { softmaxCrossEntropy(logits, targets: $0, labelSmoothing: labelSmoothing, classWeights: classWeights) }
                ?? softmaxCrossEntropy(logits, labels: labels, labelSmoothing: labelSmoothing, classWeights: classWeights)
        }
        let value = try wholeBatchLoss(loss.item, share: share)
        guard value.isFinite else { return value }
        optimizer.zeroGrad()
        let seed = share == 1 ? nil : Tensor(shape: [1], values: [Float(share)])
        if let synchronizer {
            try synchronizer.backward(loss, seed: seed, parameters: parametersByTensor)
        } else {
            loss.backward(gradient: seed)
        }
        update()
        return value
    }

    /// The step of a worker whose slice of the batch is empty (a batch smaller than the number of
    /// workers): it takes part in the collectives with nothing of its own, and updates with the
    /// others' gradients. Returns the whole batch's loss.
    public func stepWithoutImages() throws -> Float {
        let value = try wholeBatchLoss(0, share: 0)
        guard value.isFinite else { return value }
        optimizer.zeroGrad()
        try synchronizer?.synchronizeGradients()
        update()
        return value
    }

    private func wholeBatchLoss(_ local: Float, share: Double) throws -> Float {
        guard let workers, workers.size > 1 else { return local }
        // 0 × NaN is NaN: a worker's non-finite loss stops every worker's step.
        return Float(try workers.sum([Double(local) * share])[0])
    }

    private func update() {
        if let gradientClipNorm { clipGradientNorm(optimizer.parameters.map(\.tensor), maxNorm: gradientClipNorm) }
        optimizer.step()
        scheduler.step()
    }
}
