import ArgumentParser
import Foundation
import Graft

struct LRFind: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lr-find",
        abstract: "Find a learning rate: train with a rate that grows every step and read a good one off the loss (fastai's lr_find).",
        discussion: """
        Takes the flags of graft train that describe the recipe. --stage head (the default) sweeps the head on the \
        frozen backbone's cached features: a few seconds. --stage fine-tune first trains the head as stage 1 of \
        the recipe would (--epochs at --lr), then sweeps the blocks stage 2 unfreezes on real batches, for \
        --fine-tune-lr. Prints the suggested rate (the middle of the longest fall of the smoothed loss, fastai's \
        "valley") and two other rules' rates, and writes OUT/lr_find.svg (loss against rate), lr_find.csv and \
        lr_find.json. Nothing is trained for keeps.
        """)

    @OptionGroup var runtime: RuntimeOptions
    @Argument(help: "Image folder (class folders, or the folder --labels paths are relative to).") var data: String
    @OptionGroup var source: DataSourceOptions
    @Option(help: "Folder for lr_find.svg, lr_find.csv and lr_find.json.") var out = "lr-find"
    @Option(help: "The stage whose rate to find: head, or fine-tune.") var stage = LearningRateRangeTest.Stage.head
    @Option(help: "The sweep's first learning rate.") var startLr = LearningRateRangeTest().startLearningRate
    @Option(help: "The sweep's last learning rate.") var endLr = LearningRateRangeTest().endLearningRate
    @Option(help: "Steps of the sweep, one batch each; it stops early once the loss diverges (default: 200 for the head, 100 for fine-tuning).")
    var steps: Int?
    @OptionGroup var recipe: TrainingRecipe

    static let flags = ["startLearningRate": "--start-lr", "endLearningRate": "--end-lr", "steps": "--steps", "out": "--out"]

    func validate() throws {
        if out.isEmpty { throw ValidationError("--out must name a folder, not an empty string") }
        try recipe.checkSettings()
        try renamingSettings(Self.flags) { try rangeTest().validate() }
    }

    func rangeTest() -> LearningRateRangeTest {
        var test = LearningRateRangeTest()
        test.stage = stage
        test.startLearningRate = startLr
        test.endLearningRate = endLr
        test.steps = steps
        return test
    }

    func run() throws {
        try runtime.apply()
        let folder = try source.dataset(at: data, options: recipe.datasetOptions(), workers: nil)
        print(folder.summary)
        let finder = try renamingSettings(TrainingRecipe.flags, asUsageError: false) {
            let model = try recipe.classifierOptions(), options = try recipe.trainingOptions()
            try model.validate(classCount: folder.classNames.count)
            let classifier = try model.makeClassifier(classNames: folder.classNames, seed: options.seed)
            return try LearningRateFinder(classifier: classifier, trainingSet: folder.train, validationSet: folder.validation,
                                          options: options, test: rangeTest())
        }
        finder.onMessage = { print($0) }
        let finding = try finder.run()
        print(finding.summary)
        let files = try finding.write(to: URL(fileURLWithPath: out))
        print("wrote " + files.map(\.path).joined(separator: ", "))
    }
}

extension LearningRateRangeTest.Stage: ExpressibleByArgument {}
