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
    @Option(help: "How images fit the input, in training and wherever the model goes: stretch (the whole image, aspect ignored; Keras'), crop (the backbone's central crop) or pad (the whole image on black).")
    var resize = ClassifierOptions().resize
    @Option(help: "The filter that resizes images (Keras' interpolation, Pillow's resample; EfficientNet-Lite's reference preprocessing is bicubic).")
    var interpolation = ClassifierOptions().interpolation
    @Option(help: "Batch size.") var batchSize = TrainingOptions().batchSize
    @Option(help: "Epochs of stage 1 (head only, backbone frozen).") var epochs = TrainingOptions().headEpochs
    @Option(help: "Epochs of stage 2 (last blocks unfrozen); 0 is plain feature extraction.") var fineTuneEpochs = TrainingOptions().fineTuneEpochs
    @Option(help: "Blocks to unfreeze in stage 2: the last N, 'all', 'from:K' (block index K on), or names such as 'blocks.15,head' (see --print-model; default: about the last quarter).") var unfreeze: String?
    @Option(help: "Stage 1 learning rate (Adam).") var lr = TrainingOptions().headLearningRate
    @Option(help: "Stage 2 learning rate (default: --lr / 10).") var fineTuneLr: Float?
    @Option(help: ArgumentHelp("Stage 2 discriminative rates: each unfrozen block further from the head trains at the next one's rate times this (e.g. 0.5; default 1, one rate).",
                               valueName: "factor"))
    var lrDecayPerBlock: Float?
    @Option(help: "Learning-rate schedule within each stage: constant; cosine (warm-up, then cosine decay to --min-lr-fraction); one-cycle (fastai's fit_one_cycle); step (× --step-factor every --step-epochs).")
    var schedule = TrainingOptions().schedule
    @Option(help: ArgumentHelp("Step schedule: epochs between two decays (default: a third of the stage).", valueName: "epochs"))
    var stepEpochs: Int?
    @Option(help: ArgumentHelp("Step schedule: what each decay multiplies the rate by.", valueName: "factor"))
    var stepFactor = TrainingOptions().stepDecayFactor
    @Option(help: "Optimizer of both stages (PyTorch's semantics): adam, adamw (decoupled weight decay) or sgd.")
    var optimizer = TrainingOptions().optimizer
    @Option(help: "Weight decay (default: 0.01 for adamw, 0 for adam and sgd; an L2 term for adam and sgd).")
    var weightDecay: Float?
    @Option(help: "SGD momentum (default 0).") var momentum: Float?
    @Option(help: "What picks the kept epoch, early stopping and --reduce-lr-patience go by: val-loss or val-accuracy (the training one without validation images).")
    var monitor = TrainingOptions().monitor
    @Flag(inversion: .prefixedNo,
          help: "Keep each stage's best epoch by --monitor (Keras' restore_best_weights), which stage 2 then starts from; --no-restore-best-weights keeps the last epoch's, as a plain PyTorch loop does.")
    var restoreBestWeights = TrainingOptions().restoreBestWeights
    @Option(help: ArgumentHelp("Reduce on plateau (Keras' ReduceLROnPlateau): multiply the rate by --reduce-lr-factor after this many epochs of a stage without an improvement of --monitor.",
                               valueName: "epochs"))
    var reduceLrPatience: Int?
    @Option(help: ArgumentHelp("Reduce on plateau: the factor.", valueName: "factor")) var reduceLrFactor = PlateauReduction().factor
    @Option(help: ArgumentHelp("Reduce on plateau: the lowest rate it goes down to.", valueName: "rate")) var minLr = PlateauReduction().minimumLearningRate
    @Option(help: "Cosine schedule: the rate at the end of each stage, as a fraction of the stage's rate.")
    var minLrFraction = TrainingOptions().minLearningRateFraction
    @Option(help: "Cosine schedule: the fraction of each stage spent warming up.") var warmupFraction = TrainingOptions().warmupFraction
    @Option(help: "Augmentation preset; the flags below change single values of it (a given value replaces the preset's).")
    var augment = AugmentationPreset.none
    @Option(help: ArgumentHelp("Rotate each image by a uniform angle in [-deg, deg] (Keras' rotation_range).", valueName: "deg"))
    var rotation: Double?
    @Option(help: ArgumentHelp("Shift each image by up to this fraction of its width across and of its height down (Keras' width_shift_range and height_shift_range).",
                               valueName: "fraction"))
    var shift: Double?
    @Option(help: ArgumentHelp("Scale each image by factors in [1 - z, 1 + z] (Keras' zoom_range).", valueName: "z")) var zoom: Double?
    @Option(help: "What fills the border rotation, shift and zoom uncover: nearest (Keras' default, the default with those flags) or reflect (the presets').")
    var fillMode: BorderFill?
    @Option(help: "Random mirror images, each with probability 0.5: none, horizontal, vertical or both (Keras' horizontal_flip, vertical_flip).")
    var flip: FlipDirections?
    @Option(help: ArgumentHelp("Multiply pixel values by a factor in [1 - b, 1 + b] (torchvision's ColorJitter brightness).", valueName: "b"))
    var brightness: Double?
    @Option(help: ArgumentHelp("Blend each image with its mean grey by a factor in [1 - c, 1 + c] (torchvision's ColorJitter contrast).", valueName: "c"))
    var contrast: Double?
    @Option(help: ArgumentHelp("Probability of replacing a random rectangle (2-33% of the image) by noise (torchvision's RandomErasing p).", valueName: "p"))
    var erase: Double?
    @Option(help: ArgumentHelp("MixUp: blend each batch with itself reversed by a Beta(alpha, alpha) weight; 0 turns it off.", valueName: "alpha"))
    var mixup: Double?
    @Option(help: ArgumentHelp("CutMix: paste a rectangle of the reversed batch, its area from Beta(alpha, alpha); 0 turns it off (with --mixup, each batch picks one).",
                               valueName: "alpha"))
    var cutmix: Double?
    @Option(help: "How the backbone's feature map becomes the head's input (Keras' pooling): avg, max, or flatten (Keras' Flatten; its width grows with the image size).")
    var pooling = HeadConfiguration().pooling
    @Option(help: "Hidden dense layers of the head, comma-separated widths (e.g. 256).") var hidden = ""
    @Option(help: "Dropout in the head.") var dropout = HeadConfiguration().dropout
    @Option(help: "Output of the head: softmax (one unit per class), sigmoid (a single unit with binary cross-entropy; two classes only) or multi-label (a sigmoid per class; the default for --label-delimiter data).")
    var headOutput = HeadConfiguration().output
    @Option(help: ArgumentHelp("Multi-label: the probability at or above which a class is predicted, saved with the model.", valueName: "p"))
    var threshold = HeadConfiguration().threshold
    @Option(help: "BatchNorm in unfrozen blocks: inference (statistics kept) or train.") var bn = TrainingOptions().batchNorm
    @Option(help: "Label smoothing (0...1).") var labelSmoothing = TrainingOptions().labelSmoothing
    @Option(help: "Class weights: none or auto (inverse frequency).") var classWeights = ClassWeightsChoice.none
    @Option(help: "Clip gradients to this global L2 norm.") var clipNorm: Float?
    @Option(help: "Early stopping patience in epochs (per stage).") var patience: Int?
    @Option(help: "Fraction of training images held out when DATA has no validation folder.") var validationFraction = 0.2
    @Flag(help: "Do not cache backbone features in stage 1, nor the frozen blocks' output in stage 2.") var noFeatureCache = false
    @Option(help: "Random seed.") var seed: UInt64 = 0
    /// The library's names of the settings, as this command's flags.
    static let flags = [
        "batchSize": "--batch-size", "headEpochs": "--epochs", "fineTuneEpochs": "--fine-tune-epochs", "headLearningRate": "--lr",
        "fineTuneLearningRate": "--fine-tune-lr", "learningRateDecayPerBlock": "--lr-decay-per-block",
        "warmupFraction": "--warmup-fraction", "minLearningRateFraction": "--min-lr-fraction", "labelSmoothing": "--label-smoothing",
        "gradientClipNorm": "--clip-norm", "earlyStoppingPatience": "--patience", "unfreeze": "--unfreeze",
        "imageSize": "--image-size", "hiddenUnits": "--hidden", "dropout": "--dropout", "weights": "--weights",
        "randomInitialization": "--random-init", "head.output": "--head-output", "validationFraction": "--validation-fraction",
        "classes": "--classes", "head.pooling": "--pooling", "threshold": "--threshold",
        "rotationDegrees": "--rotation", "shift": "--shift", "zoom": "--zoom", "brightness": "--brightness", "contrast": "--contrast",
        "erasing": "--erase", "mixUpAlpha": "--mixup", "cutMixAlpha": "--cutmix", "weightDecay": "--weight-decay", "momentum": "--momentum",
        "optimizer": "--optimizer", "reduceOnPlateau.patience": "--reduce-lr-patience", "reduceOnPlateau.factor": "--reduce-lr-factor",
        "reduceOnPlateau.minimumLearningRate": "--min-lr", "stepDecayEpochs": "--step-epochs", "stepDecayFactor": "--step-factor",
        "batchNorm": "--bn",
    ]

    /// Checks every setting before any work, as a usage error that names the flag.
    func checkSettings() throws {
        try renamingSettings(Self.flags) {
            try datasetOptions().validate()
            try classifierOptions().validate()
            try augmentationOverrides().validate()
            var options = try trainingOptions()
            try options.validate()
            // The plateau's factor and floor are checked even where no --reduce-lr-patience uses them.
            if options.reduceOnPlateau == nil {
                options.reduceOnPlateau = PlateauReduction(factor: reduceLrFactor, patience: 1, minimumLearningRate: minLr)
                try options.validate()
            }
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
        model.resize = resize
        model.interpolation = interpolation
        model.head = HeadConfiguration(hiddenUnits: try hiddenUnits(), dropout: dropout, output: headOutput, pooling: pooling,
                                       threshold: threshold)
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
        options.augmentation = augmentationOverrides().applied(to: augment.augmentation)
        options.labelSmoothing = labelSmoothing
        options.classWeighting = classWeights.weighting
        options.gradientClipNorm = clipNorm
        options.earlyStoppingPatience = patience
        options.cacheFeatures = !noFeatureCache
        options.seed = seed
        options.optimizer = optimizer
        options.weightDecay = weightDecay
        options.momentum = momentum ?? 0
        options.monitor = monitor
        options.restoreBestWeights = restoreBestWeights
        options.stepDecayEpochs = stepEpochs
        options.stepDecayFactor = stepFactor
        if let reduceLrPatience {
            options.reduceOnPlateau = PlateauReduction(factor: reduceLrFactor, patience: reduceLrPatience, minimumLearningRate: minLr)
        }
        return options
    }

    func augmentationOverrides() -> AugmentationOverrides {
        AugmentationOverrides(rotationDegrees: rotation, shift: shift, zoom: zoom, fill: fillMode, flip: flip, brightness: brightness,
                              contrast: contrast, erasing: erase, mixUpAlpha: mixup, cutMixAlpha: cutmix)
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
