import Foundation
import GraftData

extension TrainingReport {
    /// The configuration table of a run: model, data, and each stage's epochs, rates and schedule.
    public static func configuration(of classifier: ImageClassifier, options: TrainingOptions, trainingImages: Int,
                                     validationImages: Int?) -> [Entry] {
        let head = classifier.headConfiguration
        let widths = [String(classifier.backbone.featureWidth)] + head.hiddenUnits.map(String.init)
            + [head.output == .sigmoid ? "1 (sigmoid)" : "\(classifier.classNames.count) (softmax)"]
        var entries = [
            Entry("backbone", classifier.backboneKind.rawValue),
            Entry("image size", "\(classifier.preprocessing.width) × \(classifier.preprocessing.height)"),
            Entry("classes", "\(classifier.classNames.count): " + classifier.classNames.joined(separator: ", ")),
            Entry("images", "\(trainingImages) training, " + (validationImages.map { "\($0) validation" } ?? "no validation")),
            Entry("head", widths.joined(separator: " → ") + (head.dropout > 0 ? ", dropout \(format(head.dropout))" : "")),
            Entry("stage 1: head on the frozen backbone", stageOne(options)),
            Entry("stage 2: fine-tuning", stageTwo(classifier, options)),
            Entry("batch size", String(options.batchSize)),
            Entry("augmentation", augmentationName(options.augmentation)),
            Entry("BatchNorm in unfrozen blocks", options.batchNorm == .inference ? "inference (statistics kept)" : "train"),
        ]
        if options.labelSmoothing > 0 { entries.append(Entry("label smoothing", format(options.labelSmoothing))) }
        switch options.classWeighting {
        case .none: break
        case .automatic: entries.append(Entry("class weights", "inverse frequency"))
        case .explicit(let values): entries.append(Entry("class weights", values.map(format).joined(separator: ", ")))
        }
        if let clip = options.gradientClipNorm { entries.append(Entry("gradient clipping", "global norm \(format(clip))")) }
        if let patience = options.earlyStoppingPatience {
            entries.append(Entry("early stopping", "after \(patience) epoch(s) without a lower validation loss"))
        }
        entries.append(Entry("weights kept", options.restoreBestWeights ? "each stage's epoch with the lowest validation loss" : "the last epoch's"))
        entries.append(Entry("seed", String(options.seed)))
        return entries
    }

    private static func stageOne(_ options: TrainingOptions) -> String {
        guard options.headEpochs > 0 else { return "skipped" }
        return "\(epochs(options.headEpochs)), Adam, learning rate \(rate(options.headLearningRate)), "
            + scheduleDescription(options) + (options.cacheFeatures && !options.augments ? ", on cached backbone features" : "")
    }

    private static func stageTwo(_ classifier: ImageClassifier, _ options: TrainingOptions) -> String {
        guard options.fineTuneEpochs > 0 else { return "skipped (feature extraction only)" }
        let groups = classifier.backbone.blockGroups.map(\.name)
        let unfrozen: String
        switch options.fineTuneSelection(for: classifier) {
        case .all: unfrozen = "all \(groups.count) blocks"
        case .lastBlocks(let n):
            unfrozen = "the last \(min(n, groups.count)) blocks (" + groups.suffix(max(0, n)).joined(separator: ", ") + ")"
        case .blocks(let names): unfrozen = "blocks " + names.joined(separator: ", ")
        case .fromBlockIndex(let i): unfrozen = "blocks from index \(i) (" + groups.dropFirst(max(0, i)).joined(separator: ", ") + ")"
        }
        var text = "\(epochs(options.fineTuneEpochs)), Adam, learning rate \(rate(options.resolvedFineTuneLearningRate)), "
            + scheduleDescription(options) + ", " + unfrozen + " unfrozen"
        if let decay = options.learningRateDecayPerBlock, decay != 1 {
            text += ", each block further from the head at \(format(decay))× the rate of the next"
        }
        return text
    }

    private static func scheduleDescription(_ options: TrainingOptions) -> String {
        switch options.schedule {
        case .constant: return "constant rate"
        case .cosine:
            return "cosine decay to \(percent(options.minLearningRateFraction)) of the rate after a "
                + "\(percent(options.warmupFraction)) warm-up"
        }
    }

    private static func augmentationName(_ augmentation: Augmentation?) -> String {
        guard let augmentation else { return "none" }
        return Augmentation.presetNames.first { Augmentation.preset(named: $0) == augmentation } ?? "custom"
    }

    private static func epochs(_ n: Int) -> String { n == 1 ? "1 epoch" : "\(n) epochs" }
    private static func rate(_ value: Float) -> String { String(format: "%.1e", Double(value)) }
    private static func percent(_ fraction: Double) -> String { String(format: "%g%%", fraction * 100) }
    private static func format(_ value: Float) -> String { String(format: "%g", Double(value)) }
}
