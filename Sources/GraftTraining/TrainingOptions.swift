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
/// two-stage recipe: head on a frozen backbone with Adam 1e-3, then the last blocks at 1e-5,
/// each at a constant rate.
public struct TrainingOptions: Sendable {
    public var batchSize = 32
    /// Stage 1: the head alone on a frozen backbone. 0 skips it.
    public var headEpochs = 5
    public var headLearningRate: Float = 1e-3
    /// Stage 2: the head with `unfreeze` unfrozen. 0 skips it (plain feature extraction).
    public var fineTuneEpochs = 5
    /// nil: 10x lower than `headLearningRate` (measured in docs/accuracy.md: 3 to 4 points above
    /// 100x lower, the Keras guide's rate, on three datasets).
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
    /// Stop a stage after this many epochs without an improvement of `monitor`; nil never stops early.
    public var earlyStoppingPatience: Int?
    /// At the end of each stage, go back to the weights of the epoch with the best `monitor` value.
    public var restoreBestWeights = true
    /// Stage 2: each unfrozen backbone block further from the head trains at the rate of the
    /// block after it times this factor (the head keeps `fineTuneLearningRate`; see
    /// `ImageClassifier.trainableParameterGroups`). nil (or 1): one rate for all.
    public var learningRateDecayPerBlock: Float?
    /// How the learning rate moves within each stage: warm-up and cosine decay to a floor by
    /// default. For stages of only a few epochs, `.constant` (the Keras tutorials' recipe) can do
    /// as well or better: on Fashion-MNIST (EfficientNet-Lite0, 3+3 and 5+5 epochs, two seeds) it
    /// was ahead of cosine by up to 0.9 points of validation accuracy in 6 of 7 runs.
    public var schedule: StageSchedule = .cosine
    /// `.cosine`: fraction of each stage's steps spent warming the learning rate up.
    public var warmupFraction: Double = 0.1
    /// `.cosine`: the rate at the end of each stage, as a fraction of the stage's rate. A floor
    /// keeps the last epochs of a short stage learning (it did better than 0, which decays to
    /// nothing).
    public var minLearningRateFraction: Double = 0.1
    /// Train the head on backbone features computed once, when stage 1 allows it (frozen
    /// backbone, no augmentation): same result, far faster.
    public var cacheFeatures = true
    /// The optimizer of both stages (Adam by default).
    public var optimizer: OptimizerKind = .adam
    /// nil: PyTorch's default for the optimizer (0.01 for AdamW, else 0).
    public var weightDecay: Float?
    /// SGD's momentum (PyTorch's and Keras' default: 0).
    public var momentum: Float = 0
    /// What the kept epoch, early stopping and reduce-on-plateau go by.
    public var monitor: Monitor = .validationLoss
    /// Lower the rate when the monitored value stops improving; nil never does.
    public var reduceOnPlateau: PlateauReduction?
    /// `.step`: epochs between two decays; nil: a third of the stage's epochs (at least 1).
    public var stepDecayEpochs: Int?
    /// `.step`: what each decay multiplies the rate by.
    public var stepDecayFactor: Double = 0.1
    /// What is done after each stage to calibrate the probabilities: temperature scaling on the
    /// validation images (the default) or nothing. It changes no weight, so a resumed run may
    /// change it.
    public var calibration: CalibrationMethod = .temperature
    /// The test-time augmentation whose gain on the validation images the report of the run's
    /// final weights shows (one pass over them per extra view); nil shows none.
    public var reportTestTimeAugmentation: TestTimeAugmentation? = .flip
    public var seed: UInt64 = 0
    /// After stage 1, look for likely wrong labels and near-duplicates across the splits
    /// (`TrainingRun` installs a `LabelIssueFinder`; a `Trainer` alone does not look).
    public var labelIssues = LabelIssueOptions()
    /// Background threads decoding images.
    public var loaderThreads = ProcessInfo.processInfo.activeProcessorCount

    public init() {}

    /// The stage 2 rate in force: `fineTuneLearningRate`, else 10x lower than `headLearningRate`.
    public var resolvedFineTuneLearningRate: Float { fineTuneLearningRate ?? headLearningRate / 10 }

    var augments: Bool { augmentation != nil && augmentation != Augmentation.none }
}
