import ArgumentParser
import Foundation
import Graft

/// The flags that describe a training recipe (data split, model, both stages), shared by the
/// commands that train: `graft train` and `graft lr-find`.
struct TrainingRecipe: ParsableArguments {
    @Option(help: ArgumentHelp("The classes to train on, in label order (e.g. cat,dog); the data's other classes are left out (default: all, sorted).",
                               valueName: "names"))
    var classes: String?
    @Option(help: "Backbone.") var backbone: BackboneKind = ClassifierOptions().backbone
    @Option(help: "Pretrained weights to use instead of the cached ones.") var weights: String?
    @Flag(help: "Start from random weights instead of pretrained ones.") var randomInit = false
    @Option(help: "Square input size (default: the backbone's).") var imageSize: Int?
    @Option(help: "Batch size.") var batchSize = TrainingOptions().batchSize
    @Option(help: "Epochs of stage 1 (head only, backbone frozen).") var epochs = TrainingOptions().headEpochs
    @Option(help: "Epochs of stage 2 (last blocks unfrozen); 0 is plain feature extraction.") var fineTuneEpochs = TrainingOptions().fineTuneEpochs
    @Option(help: "Blocks to unfreeze in stage 2: the last N, 'all', 'from:K' (block index K on), or names such as 'blocks.15,head' (see --print-model; default: about the last fifth).") var unfreeze: String?
    @Option(help: "Stage 1 learning rate (Adam).") var lr = TrainingOptions().headLearningRate
    @Option(help: "Stage 2 learning rate (default: --lr / 100).") var fineTuneLr: Float?
    @Option(help: ArgumentHelp("Stage 2 discriminative rates: each unfrozen block further from the head trains at the next one's rate times this (e.g. 0.5; default 1, one rate).",
                               valueName: "factor"))
    var lrDecayPerBlock: Float?
    @Option(help: "Learning-rate schedule within each stage: constant, or cosine (warm-up, then cosine decay to --min-lr-fraction).")
    var schedule = TrainingOptions().schedule
    @Option(help: "Cosine schedule: the rate at the end of each stage, as a fraction of the stage's rate.")
    var minLrFraction = TrainingOptions().minLearningRateFraction
    @Option(help: "Cosine schedule: the fraction of each stage spent warming up.") var warmupFraction = TrainingOptions().warmupFraction
    @Option(help: "Augmentation.") var augment = AugmentationPreset.none
    @Option(help: "Hidden dense layers of the head, comma-separated widths (e.g. 256).") var hidden = ""
    @Option(help: "Dropout in the head.") var dropout = HeadConfiguration().dropout
    @Option(help: "Output of the head: softmax (one unit per class) or sigmoid (a single unit with binary cross-entropy; two classes only).")
    var headOutput = HeadConfiguration().output
    @Option(help: "BatchNorm in unfrozen blocks: inference (statistics kept) or train.") var bn = TrainingOptions().batchNorm
    @Option(help: "Label smoothing (0...1).") var labelSmoothing = TrainingOptions().labelSmoothing
    @Option(help: "Class weights: none or auto (inverse frequency).") var classWeights = ClassWeightsChoice.none
    @Option(help: "Clip gradients to this global L2 norm.") var clipNorm: Float?
    @Option(help: "Early stopping patience in epochs (per stage).") var patience: Int?
    @Option(help: "Fraction of training images held out when DATA has no validation folder.") var validationFraction = 0.2
    @Flag(help: "Do not cache backbone features in stage 1.") var noFeatureCache = false
    @Option(help: "Random seed.") var seed: UInt64 = 0
    /// The library's names of the settings, as this command's flags.
    static let flags = [
        "batchSize": "--batch-size", "headEpochs": "--epochs", "fineTuneEpochs": "--fine-tune-epochs", "headLearningRate": "--lr",
        "fineTuneLearningRate": "--fine-tune-lr", "learningRateDecayPerBlock": "--lr-decay-per-block",
        "warmupFraction": "--warmup-fraction", "minLearningRateFraction": "--min-lr-fraction", "labelSmoothing": "--label-smoothing",
        "gradientClipNorm": "--clip-norm", "earlyStoppingPatience": "--patience", "unfreeze": "--unfreeze",
        "imageSize": "--image-size", "hiddenUnits": "--hidden", "dropout": "--dropout", "weights": "--weights",
        "randomInitialization": "--random-init", "head.output": "--head-output", "validationFraction": "--validation-fraction",
        "classes": "--classes",
    ]

    /// Checks every setting before any work, as a usage error that names the flag.
    func checkSettings() throws {
        try renamingSettings(Self.flags) {
            try datasetOptions().validate()
            try classifierOptions().validate()
            try trainingOptions().validate()
        }
    }

    /// The command line as the library's option types: the one place flags become settings.
    func datasetOptions() -> ImageFolderOptions {
        ImageFolderOptions(validationFraction: validationFraction, seed: seed,
                           classes: classes.map { $0.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } })
    }

    func classifierOptions() throws -> ClassifierOptions {
        var model = ClassifierOptions()
        model.backbone = backbone
        model.weights = weights.map { URL(fileURLWithPath: $0) }
        model.randomInitialization = randomInit
        model.imageSize = imageSize
        model.head = HeadConfiguration(hiddenUnits: try hiddenUnits(), dropout: dropout, output: headOutput)
        return model
    }

    func trainingOptions() throws -> TrainingOptions {
        var options = TrainingOptions()
        options.batchSize = batchSize
        options.headEpochs = epochs
        options.fineTuneEpochs = fineTuneEpochs
        options.headLearningRate = lr
        options.fineTuneLearningRate = fineTuneLr
        options.learningRateDecayPerBlock = lrDecayPerBlock
        options.schedule = schedule
        options.minLearningRateFraction = minLrFraction
        options.warmupFraction = warmupFraction
        options.unfreeze = try unfreeze.map(UnfreezeSelection.init(parsing:))
        options.batchNorm = bn
        options.augmentation = augment.augmentation
        options.labelSmoothing = labelSmoothing
        options.classWeighting = classWeights.weighting
        options.gradientClipNorm = clipNorm
        options.earlyStoppingPatience = patience
        options.cacheFeatures = !noFeatureCache
        options.seed = seed
        return options
    }

    func hiddenUnits() throws -> [Int] {
        try hidden.split(separator: ",").map {
            guard let n = Int($0.trimmingCharacters(in: .whitespaces)) else {
                throw InvalidSetting(name: "hiddenUnits", value: "'\(hidden)'", requirement: "comma-separated positive widths")
            }
            return n
        }
    }
}
