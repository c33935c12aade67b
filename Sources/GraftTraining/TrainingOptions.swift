import Foundation
import GraftData

/// How class imbalance is compensated in the training loss.
public enum ClassWeighting: Equatable, Sendable {
    case none
    /// Inverse class frequency, n / (classes * count), as scikit-learn's "balanced".
    case automatic
    case explicit([Float])
}

/// Everything `Trainer.fit` needs besides the model and the data. The defaults are the
/// two-stage recipe: head on a frozen backbone with Adam 1e-3, then the last blocks at 1e-5.
public struct TrainingOptions: Sendable {
    public var batchSize = 32
    /// Stage 1: the head alone on a frozen backbone. 0 skips it.
    public var headEpochs = 5
    public var headLearningRate: Float = 1e-3
    /// Stage 2: the head with `unfreeze` unfrozen. 0 skips it (plain feature extraction).
    public var fineTuneEpochs = 5
    /// nil: 100x lower than `headLearningRate`.
    public var fineTuneLearningRate: Float?
    /// nil: the classifier's `defaultFineTuneBlocks` last blocks.
    public var unfreeze: UnfreezeSelection?
    public var batchNorm: BatchNormMode = .inference
    /// nil or `.none`: images are only resized and normalized.
    public var augmentation: Augmentation?
    public var labelSmoothing: Float = 0
    public var classWeighting: ClassWeighting = .none
    /// Rescale gradients whose global L2 norm is larger than this; nil leaves them alone.
    public var gradientClipNorm: Float?
    /// Stop a stage after this many epochs without a lower validation loss; nil never stops early.
    public var earlyStoppingPatience: Int?
    /// At the end of each stage, go back to the weights of the epoch with the lowest validation loss.
    public var restoreBestWeights = true
    /// Fraction of each stage's steps spent warming the learning rate up (cosine decay after).
    public var warmupFraction: Double = 0.1
    /// Train the head on backbone features computed once, when stage 1 allows it (frozen
    /// backbone, no augmentation): same result, far faster.
    public var cacheFeatures = true
    public var seed: UInt64 = 0
    /// Background threads decoding images.
    public var loaderThreads = ProcessInfo.processInfo.activeProcessorCount

    public init() {}

    var resolvedFineTuneLearningRate: Float { fineTuneLearningRate ?? headLearningRate / 100 }

    var augments: Bool { augmentation != nil && augmentation != Augmentation.none }
}
