import ArgumentParser
import Foundation
import Graft
import GraftDistributed

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fine-tune a pretrained backbone on an image folder (head first, then the last blocks).",
        discussion: """
        DATA holds one sub-folder per class, or train/ and validation/ folders that do; or, with --labels, \
        the images a label file lists. Writes OUT/model \
        (config.json, model.safetensors), history.json, history.csv, curves.svg, report.html (curves, \
        configuration, validation metrics, calibration, confusion matrix, the most confidently wrong images, likely \
        label issues and near-duplicates across the splits), label_issues.csv, reliability.svg (the reliability \
        diagram of the fitted temperature), and a \
        resumable checkpoint after each epoch (OUT/checkpoint; Ctrl-C or SIGTERM stops there, --resume \
        continues with the same options). Every file is replaced whole, and OUT is locked while a run \
        uses it. On a terminal each epoch shows a progress bar; otherwise one line per epoch.
        """)

    @OptionGroup var runtime: RuntimeOptions
    @OptionGroup var distribution: DistributedOptions
    @Argument(help: "Image folder (class folders, or the folder --labels paths are relative to).") var data: String
    @OptionGroup var source: DataSourceOptions
    @Option(help: "Output folder (not needed with --print-model).") var out: String?
    @OptionGroup var recipe: TrainingRecipe
    @OptionGroup var labelIssues: LabelIssueFlags
    @Option(help: "After training: temperature (fit one temperature on the validation images that divides the logits, so the probabilities of predict, serve and export are calibrated) or none.")
    var calibration = TrainingOptions().calibration
    @Option(help: ArgumentHelp("The test-time augmentation whose gain on the validation images the report shows: flip, ten-crop or none.",
                               valueName: "views"))
    var reportTta = TestTimeAugmentation.flip.rawValue
    @Flag(help: "Continue from OUT/checkpoint.") var resume = false
    @Flag(help: "Print the blocks with trainable and frozen parameter counts, then stop.") var printModel = false

    func validate() throws {
        if !printModel && out == nil { throw ValidationError("missing --out: the folder for the model, history and report") }
        if out?.isEmpty == true { throw ValidationError("--out must name a folder, not an empty string") }
        try recipe.checkSettings()
        try labelIssues.checkSettings()
        _ = try trainingOptions()
    }

    /// The recipe's options with what only training does after it.
    func trainingOptions() throws -> TrainingOptions {
        var options = try recipe.trainingOptions()
        options.calibration = calibration
        if reportTta != "none" {
            guard let augmentation = TestTimeAugmentation(rawValue: reportTta) else {
                throw ValidationError("--report-tta must be flip, ten-crop or none, not '\(reportTta)'")
            }
            options.reportTestTimeAugmentation = augmentation
        } else {
            options.reportTestTimeAugmentation = nil
        }
        return options
    }

    func run() throws {
        try runtime.apply()
        try distribution.run(threads: runtime.threads) { try train(workers: $0) }
    }

    /// One process's part: with `workers`, rank 0 alone prints and writes.
    private func train(workers: MPIWorld?) throws {
        let leads = workers.map { $0.rank == 0 } ?? true
        func print(_ text: @autoclosure () -> String) { if leads { Swift.print(text()) } }
        let folder = try source.dataset(at: data, options: recipe.datasetOptions(), workers: workers)
        print(folder.summary)
        if let workers, workers.size > 1 {
            print("data-parallel: \(workers.size) processes, \(Engine.threadCount) threads each on rank 0; each trains on its slice of every batch of \(recipe.batchSize)")
        }
        let (model, recipeOptions) = try renamingSettings(TrainingRecipe.flags, asUsageError: false) { (try recipe.classifierOptions(), try trainingOptions()) }
        var options = recipeOptions
        options.labelIssues = labelIssues.options
        if printModel {
            guard leads else { return }
            let classifier = try renamingSettings(TrainingRecipe.flags, asUsageError: false) {
                try model.makeClassifier(classNames: folder.classNames, seed: recipe.seed)
            }
            return try printStages(of: classifier, options)
        }
        let run = try renamingSettings(TrainingRecipe.flags.merging(LabelIssueFlags.flags) { a, _ in a }, asUsageError: false) {
            try TrainingRun(data: folder, model: model, options: options, outputs: RunOutputs(directory: URL(fileURLWithPath: out!)),
                            workers: workers)
        }
        for note in run.notes { print(note) }
        let display = ProgressDisplay()
        if leads { run.observe(display) }
        let interrupt = InterruptFlag()
        run.trainer.shouldStop = { interrupt.isSet }
        let summary: TrainingSummary
        do {
            defer { display.clearBar() }
            summary = try run.fit(resume: resume)
        } catch let error as TrainingError {
            throw CommandFailure(error.description)
        }
        print(summary.description)
        if let workers, workers.size > 1 {
            let s = workers.statistics
            print(String(format: "communication on rank 0: %.1f s waiting (%.1f s for gradients after backward, of %.1f s of gradient allreduces), %.0f MB moved",
                         s.waitSeconds, s.gradientWaitSeconds, s.gradientReduceSeconds, Double(s.collectiveBytes + s.gradientBytes) / 1e6))
        }
    }

    /// `--print-model`: each stage's trainable and frozen blocks, and stage 2's learning rates.
    private func printStages(of classifier: ImageClassifier, _ options: TrainingOptions) throws {
        classifier.batchNormMode = options.batchNorm
        print("stage 1:\n" + classifier.summary())
        try classifier.unfreeze(options.fineTuneSelection(for: classifier))
        print("\nstage 2:\n" + classifier.summary())
        let optimizer = options.makeOptimizer(groups: classifier.trainableParameterGroups(learningRateDecayPerBlock: options.learningRateDecayPerBlock),
                                              learningRate: options.resolvedFineTuneLearningRate)
        print("stage 2 learning rates: " + optimizer.groups.map {
            String(format: "%@ %.2e", $0.name, optimizer.learningRate(ofGroup: $0.name)!)
        }.joined(separator: ", "))
    }
}
