import ArgumentParser
import Foundation
import Graft

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a pretrained backbone on an image folder (head first, then the last blocks).",
        discussion: """
        DATA holds one sub-folder per class, or train/ and validation/ folders that do; or, with --labels, \
        the images a label file lists. Writes OUT/model \
        (config.json, model.safetensors), history.json, history.csv, curves.svg and report.html (curves, \
        configuration, validation metrics, confusion matrix, the most confidently wrong images), and a \
        resumable checkpoint after each epoch (OUT/checkpoint; Ctrl-C or SIGTERM stops there, --resume \
        continues with the same options). Every file is replaced whole, and OUT is locked while a run \
        uses it. On a terminal each epoch shows a progress bar; otherwise one line per epoch.
        """)

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "Image folder (class folders, or the folder --labels paths are relative to).") var data: String
    @OptionGroup var source: DataSourceOptions
    @Option(help: ArgumentHelp("The classes to train on, in label order (e.g. cat,dog); the data's other classes are left out (default: all, sorted).",
                               valueName: "names"))
    var classes: String?
    @Option(help: "Output folder (not needed with --print-model).") var out: String?
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
    @Flag(help: "Continue from OUT/checkpoint.") var resume = false
    @Flag(help: "Print the blocks with trainable and frozen parameter counts, then stop.") var printModel = false

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

    func validate() throws {
        if !printModel && out == nil { throw ValidationError("missing --out: the folder for the model, history and report") }
        if out?.isEmpty == true { throw ValidationError("--out must name a folder, not an empty string") }
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

    func run() throws {
        try runtime.apply()
        let folder = try source.dataset(at: data, options: datasetOptions())
        print(folder.summary)
        let (model, options) = try renamingSettings(Self.flags, asUsageError: false) { (try classifierOptions(), try trainingOptions()) }
        if printModel {
            let classifier = try renamingSettings(Self.flags, asUsageError: false) {
                try model.makeClassifier(classNames: folder.classNames, seed: seed)
            }
            return try printStages(of: classifier, options)
        }
        let run = try renamingSettings(Self.flags, asUsageError: false) {
            try TrainingRun(data: folder, model: model, options: options, outputs: RunOutputs(directory: URL(fileURLWithPath: out!)))
        }
        for note in run.notes { print(note) }
        let display = ProgressDisplay()
        run.observe(display)
        let interrupt = InterruptFlag()
        run.trainer.shouldStop = { interrupt.isSet }
        let summary: TrainingSummary
        do {
            defer { display.clearBar() }
            summary = try run.fit(resume: resume)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        }
        print(summary)
    }

    /// `--print-model`: each stage's trainable and frozen blocks, and stage 2's learning rates.
    private func printStages(of classifier: ImageClassifier, _ options: TrainingOptions) throws {
        classifier.batchNormMode = options.batchNorm
        print("stage 1:\n" + classifier.summary())
        try classifier.unfreeze(options.fineTuneSelection(for: classifier))
        print("\nstage 2:\n" + classifier.summary())
        let optimizer = Adam(groups: classifier.trainableParameterGroups(learningRateDecayPerBlock: options.learningRateDecayPerBlock),
                             learningRate: options.resolvedFineTuneLearningRate)
        print("stage 2 learning rates: " + optimizer.groups.map {
            String(format: "%@ %.2e", $0.name, optimizer.learningRate(ofGroup: $0.name)!)
        }.joined(separator: ", "))
    }
}
