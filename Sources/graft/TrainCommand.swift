import ArgumentParser
import Foundation
import Graft

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a pretrained backbone on an image folder (head first, then the last blocks).",
        discussion: """
        DATA holds one sub-folder per class, or train/ and validation/ folders that do. Writes OUT/model \
        (config.json, model.safetensors), history.json, history.csv, curves.svg and report.html (curves, \
        configuration, validation metrics, confusion matrix, the most confidently wrong images), and a \
        resumable checkpoint after each epoch (OUT/checkpoint; Ctrl-C stops there, --resume continues). \
        On a terminal each epoch shows a progress bar; otherwise one line per epoch.
        """)

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "Image folder.") var data: String
    @Option(help: "Output folder.") var out: String
    @Option(help: "Backbone: \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backbone: String = BackboneKind.efficientNetLite0.rawValue
    @Option(help: "Pretrained weights to use instead of the cached ones.") var weights: String?
    @Flag(help: "Start from random weights instead of pretrained ones.") var randomInit = false
    @Option(help: "Square input size (default: the backbone's).") var imageSize: Int?
    @Option(help: "Batch size.") var batchSize = 32
    @Option(help: "Epochs of stage 1 (head only, backbone frozen).") var epochs = 5
    @Option(help: "Epochs of stage 2 (last blocks unfrozen); 0 is plain feature extraction.") var fineTuneEpochs = 5
    @Option(help: "Blocks to unfreeze in stage 2: the last N, 'all', 'from:K' (block index K on), or names such as 'blocks.15,head' (see --print-model; default: about the last fifth).") var unfreeze: String?
    @Option(help: "Stage 1 learning rate (Adam).") var lr: Float = 1e-3
    @Option(help: "Stage 2 learning rate (default: --lr / 100).") var fineTuneLr: Float?
    @Option(help: ArgumentHelp("Stage 2 discriminative rates: each unfrozen block further from the head trains at the next one's rate times this (e.g. 0.5; default 1, one rate).",
                               valueName: "factor"))
    var lrDecayPerBlock: Float?
    @Option(help: "Learning-rate schedule within each stage: constant, or cosine (warm-up, then cosine decay to --min-lr-fraction).")
    var schedule = TrainingOptions().schedule.rawValue
    @Option(help: "Cosine schedule: the rate at the end of each stage, as a fraction of the stage's rate.")
    var minLrFraction = TrainingOptions().minLearningRateFraction
    @Option(help: "Cosine schedule: the fraction of each stage spent warming up.") var warmupFraction = TrainingOptions().warmupFraction
    @Option(help: "Augmentation: none, light, strong.") var augment = "none"
    @Option(help: "Hidden dense layers of the head, comma-separated widths (e.g. 256).") var hidden = ""
    @Option(help: "Dropout in the head.") var dropout: Float = 0.2
    @Option(help: "Output of the head: softmax (one unit per class) or sigmoid (a single unit with binary cross-entropy; two classes only).")
    var headOutput = HeadOutput.softmax.rawValue
    @Option(help: "BatchNorm in unfrozen blocks: inference (statistics kept) or train.") var bn = "inference"
    @Option(help: "Label smoothing (0...1).") var labelSmoothing: Float = 0
    @Option(help: "Class weights: none or auto (inverse frequency).") var classWeights = "none"
    @Option(help: "Clip gradients to this global L2 norm.") var clipNorm: Float?
    @Option(help: "Early stopping patience in epochs (per stage).") var patience: Int?
    @Option(help: "Fraction of training images held out when DATA has no validation folder.") var validationFraction = 0.2
    @Flag(help: "Do not cache backbone features in stage 1.") var noFeatureCache = false
    @Option(help: "Random seed.") var seed: UInt64 = 0
    @Flag(help: "Continue from OUT/checkpoint.") var resume = false
    @Flag(help: "Print the blocks with trainable and frozen parameter counts, then stop.") var printModel = false

    func validate() throws {
        guard BackboneKind(rawValue: backbone) != nil else {
            throw ValidationError("unknown backbone '\(backbone)'; choose one of \(BackboneKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard Augmentation.preset(named: augment) != nil else { throw ValidationError("--augment must be none, light or strong, not '\(augment)'") }
        guard BatchNormMode(rawValue: bn) != nil else { throw ValidationError("--bn must be inference or train, not '\(bn)'") }
        guard HeadOutput(rawValue: headOutput) != nil else {
            throw ValidationError("--head-output must be softmax or sigmoid, not '\(headOutput)'")
        }
        guard StageSchedule(rawValue: schedule) != nil else {
            throw ValidationError("--schedule must be constant or cosine, not '\(schedule)'")
        }
        guard (0...1).contains(minLrFraction) else { throw ValidationError("--min-lr-fraction must be in 0...1, not \(minLrFraction)") }
        guard (0..<1).contains(warmupFraction) else { throw ValidationError("--warmup-fraction must be in 0..<1, not \(warmupFraction)") }
        if let lrDecayPerBlock, !(lrDecayPerBlock > 0 && lrDecayPerBlock <= 1) {
            throw ValidationError("--lr-decay-per-block must be in (0, 1], not \(lrDecayPerBlock)")
        }
        guard lr > 0, fineTuneLr.map({ $0 > 0 }) ?? true else { throw ValidationError("learning rates must be positive") }
        if randomInit && weights != nil { throw ValidationError("--random-init and --weights exclude each other") }
        guard ["none", "auto"].contains(classWeights) else { throw ValidationError("--class-weights must be none or auto, not '\(classWeights)'") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1, not \(batchSize)") }
        guard epochs >= 0, fineTuneEpochs >= 0 else { throw ValidationError("epochs cannot be negative") }
        guard (0...1).contains(labelSmoothing) else { throw ValidationError("--label-smoothing must be in 0...1, not \(labelSmoothing)") }
        if let imageSize, imageSize < 16 { throw ValidationError("--image-size must be at least 16, not \(imageSize)") }
        _ = try unfreezeSelection()
        _ = try hiddenUnits()
    }

    /// "3" (the last three block groups), "all", "from:12" (Keras' `layers[12:]`, counting block
    /// groups), or block names as `--print-model` shows them ("blocks.15,head").
    func unfreezeSelection() throws -> UnfreezeSelection? {
        guard let unfreeze else { return nil }
        if unfreeze == "all" { return .all }
        if let n = Int(unfreeze) {
            guard n >= 0 else { throw ValidationError("--unfreeze cannot be negative, not \(n)") }
            return .lastBlocks(n)
        }
        if unfreeze.hasPrefix("from:") {
            guard let index = Int(unfreeze.dropFirst(5)), index >= 0 else {
                throw ValidationError("--unfreeze from:K needs a block index K >= 0, not '\(unfreeze)'")
            }
            return .fromBlockIndex(index)
        }
        let names = unfreeze.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
            throw ValidationError("--unfreeze must be a number, 'all', 'from:K' or block names, not '\(unfreeze)'")
        }
        return .blocks(names)
    }

    func hiddenUnits() throws -> [Int] {
        try hidden.split(separator: ",").map {
            guard let n = Int($0.trimmingCharacters(in: .whitespaces)), n > 0 else {
                throw ValidationError("--hidden must list positive widths, not '\(hidden)'")
            }
            return n
        }
    }

    func run() throws {
        try runtime.apply()
        let kind = BackboneKind(rawValue: backbone)!
        let folder = try ImageFolder(root: URL(fileURLWithPath: data),
                                     options: ImageFolderOptions(validationFraction: validationFraction, seed: seed))
        print(folder.summary)
        for warning in folder.warnings { print(warning) }
        let output = HeadOutput(rawValue: headOutput)!
        if output == .sigmoid && folder.classNames.count != 2 {
            throw CommandFailure("--head-output sigmoid needs exactly two classes; \(data) has \(folder.classNames.count)")
        }
        if randomInit && BatchNormMode(rawValue: bn) == .inference {
            print("note: a randomly initialized backbone whose BatchNorm layers run in inference mode (statistics 0 and 1) "
                  + "gives nearly constant features; to train from scratch, use --unfreeze all --bn train")
        }
        let features = randomInit ? kind.makeFeatureExtractor(seed: seed)
            : try kind.pretrained(weights: weights.map { URL(fileURLWithPath: $0) }, keepClassifier: false)
        let classifier = ImageClassifier(backbone: features, kind: kind, classNames: folder.classNames,
                                         head: HeadConfiguration(hiddenUnits: try hiddenUnits(), dropout: dropout, output: output),
                                         imageSize: imageSize, seed: seed)
        var options = TrainingOptions()
        options.batchSize = batchSize
        options.headEpochs = epochs
        options.fineTuneEpochs = fineTuneEpochs
        options.headLearningRate = lr
        options.fineTuneLearningRate = fineTuneLr
        options.learningRateDecayPerBlock = lrDecayPerBlock
        options.schedule = StageSchedule(rawValue: schedule)!
        options.minLearningRateFraction = minLrFraction
        options.warmupFraction = warmupFraction
        options.unfreeze = try unfreezeSelection()
        options.batchNorm = BatchNormMode(rawValue: bn)!
        options.augmentation = Augmentation.preset(named: augment)
        options.labelSmoothing = labelSmoothing
        options.classWeighting = classWeights == "auto" ? .automatic : .none
        options.gradientClipNorm = clipNorm
        options.earlyStoppingPatience = patience
        options.cacheFeatures = !noFeatureCache
        options.seed = seed
        if printModel {
            classifier.batchNormMode = options.batchNorm
            print("stage 1:\n" + classifier.summary())
            try classifier.unfreeze(options.fineTuneSelection(for: classifier))
            print("\nstage 2:\n" + classifier.summary())
            let optimizer = Adam(groups: classifier.trainableParameterGroups(learningRateDecayPerBlock: options.learningRateDecayPerBlock),
                                 learningRate: options.resolvedFineTuneLearningRate)
            print("stage 2 learning rates: " + optimizer.groups.map {
                String(format: "%@ %.2e", $0.name, optimizer.learningRate(ofGroup: $0.name)!)
            }.joined(separator: ", "))
            return
        }
        let outputs = RunOutputs(directory: URL(fileURLWithPath: out))
        let trainer = try Trainer(classifier: classifier, trainingSet: folder.train, validationSet: folder.validation, options: options)
        trainer.checkpointDirectory = outputs.checkpointDirectory
        let display = ProgressDisplay()
        let weightsSource = randomInit ? "random initialization" : (weights.map { "from \($0)" } ?? "pretrained on ImageNet (cached)")
        let reportEntries = [TrainingReport.Entry("data", data), TrainingReport.Entry("weights", weightsSource)]
        var outputsCurrent = false
        /// The model, history and report of the weights the classifier holds at a stage's end.
        func writeOutputs() throws {
            try outputs.writeModel(classifier)
            try outputs.writeHistory(trainer.history)
            try outputs.writeReport(trainer.report(title: "graft train: \(URL(fileURLWithPath: out).lastPathComponent)",
                                                   extraConfiguration: reportEntries))
            outputsCurrent = true
        }
        trainer.onMessage = { display.line($0) }
        trainer.onProgress = { display.update($0) }
        trainer.onEpochEnd = { record, history in
            display.line(record.summaryLine)
            try outputs.writeHistory(history)
            outputsCurrent = false
        }
        trainer.onStageEnd = { stage in
            try writeOutputs()
            if stage == 1 && options.fineTuneEpochs > 0 {
                let kept = trainer.keptEpoch(afterStage: 1).map { best in
                    "kept epoch \(best.epoch)" + (best.validationAccuracy.map { String(format: " (validation accuracy %.4f)", $0) } ?? "") + "; "
                } ?? ""
                display.line("stage 1 done: \(kept)model and report written to \(outputs.directory.path)")
            }
        }
        let interrupt = InterruptFlag()
        trainer.shouldStop = { interrupt.isSet }
        do {
            defer { display.clearBar() }
            try trainer.fit(resume: resume)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        }
        if !outputsCurrent { try writeOutputs() }
        // A stage's result is the weights it kept, which is also what stage 2 starts from.
        for stage in [1, 2] {
            guard let last = trainer.history.last(where: { $0.stage == stage }), let lastAccuracy = last.validationAccuracy,
                  let kept = trainer.keptEpoch(afterStage: stage) else { continue }
            var line = String(format: "stage %d: validation accuracy %.4f", stage, kept.validationAccuracy ?? lastAccuracy)
            if kept.epoch != last.epoch { line += String(format: " (weights of epoch %d; last epoch %.4f)", kept.epoch, lastAccuracy) }
            print(line)
        }
        if let best = trainer.bestEpoch {
            print("kept epoch \(best.epoch) (stage \(best.stage))" + (best.validationAccuracy.map { String(format: ": validation accuracy %.4f", $0) } ?? ""))
        }
        print("model: \(outputs.modelDirectory.path)\ncurves: \(outputs.curves.path)\nreport: \(outputs.report.path)")
    }
}
