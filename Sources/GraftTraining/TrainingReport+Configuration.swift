import Foundation
import GraftData

extension TrainingReport {
    /// The configuration table of a run: model, data, and each stage's epochs, rates and schedule.
    public static func configuration(of classifier: ImageClassifier, options: TrainingOptions, trainingImages: Int,
                                     validationImages: Int?) -> [Entry] {
        let head = classifier.headConfiguration
        // The average is described as it was before pooling was a choice, so older checkpoints still resume.
        let pooling = head.pooling == .avg ? "" : (head.pooling == .max ? "max pooling " : "flatten ")
        let widths = [pooling + String(classifier.headInputWidth)] + head.hiddenUnits.map(String.init)
            + [head.output.layerDescription(classes: classifier.classNames.count, threshold: head.threshold)]
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
        // Only a rule or filter other than the backbone's is shown, so older checkpoints still resume.
        let own = classifier.backbone.preprocessing.resized(to: classifier.preprocessing.width)
        if classifier.preprocessing.filter != own.filter {
            entries.insert(Entry("interpolation", classifier.preprocessing.filter.rawValue), at: 2)
        }
        let rule = classifier.preprocessing.resize
        if rule != own.resize { entries.insert(Entry("resize", rule.summary), at: 2) }
        if options.labelSmoothing > 0 { entries.append(Entry("label smoothing", format(options.labelSmoothing))) }
        switch options.classWeighting {
        case .none: break
        case .automatic: entries.append(Entry("class weights", "inverse frequency"))
        case .explicit(let values): entries.append(Entry("class weights", values.map(format).joined(separator: ", ")))
        }
        if let clip = options.gradientClipNorm { entries.append(Entry("gradient clipping", "global norm \(format(clip))")) }
        let monitor = options.monitor
        if let patience = options.earlyStoppingPatience {
            entries.append(Entry("early stopping", "after \(patience) epoch(s) without \(monitor.improvement)"))
        }
        if let plateau = options.reduceOnPlateau {
            var text = "learning rate × \(String(format: "%g", plateau.factor)) after \(plateau.patience) epoch(s) without \(monitor.improvement)"
                + " (by more than \(String(format: "%g", plateau.minDelta)))"
            if plateau.cooldown > 0 { text += ", then \(plateau.cooldown) epoch(s) of cooldown" }
            if plateau.minimumLearningRate > 0 { text += ", not below \(rate(plateau.minimumLearningRate))" }
            entries.append(Entry("reduce on plateau", text))
        }
        let best = monitor == .validationLoss ? "the lowest validation loss" : "the highest validation accuracy"
        entries.append(Entry("weights kept", options.restoreBestWeights ? "each stage's epoch with \(best)" : "the last epoch's"))
        entries.append(Entry("seed", String(options.seed)))
        return entries
    }

    private static func stageOne(_ options: TrainingOptions) -> String {
        guard options.headEpochs > 0 else { return "skipped" }
        return "\(epochs(options.headEpochs)), \(options.optimizerDescription), learning rate \(rate(options.headLearningRate)), "
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
        var text = "\(epochs(options.fineTuneEpochs)), \(options.optimizerDescription), learning rate \(rate(options.resolvedFineTuneLearningRate)), "
            + scheduleDescription(options) + ", " + unfrozen + " unfrozen"
        if let decay = options.learningRateDecayPerBlock, decay != 1 {
            text += ", each block further from the head at \(format(decay))× the rate of the next"
        }
        return text
    }

    private static func scheduleDescription(_ options: TrainingOptions) -> String {
        switch options.schedule {
        case .constant: return "constant rate"
        case .oneCycle: return "one cycle (up from the rate / 25 over a quarter of the steps, then down to the rate / 2.5e6)"
        case .step:
            let every = options.stepDecayEpochs.map { "every \(epochs($0))" } ?? "every third of the stage"
            return "rate × \(String(format: "%g", options.stepDecayFactor)) \(every)"
        case .cosine:
            return "cosine decay to \(percent(options.minLearningRateFraction)) of the rate after a "
                + "\(percent(options.warmupFraction)) warm-up"
        }
    }

    private static func augmentationName(_ augmentation: Augmentation?) -> String {
        guard let augmentation else { return "none" }
        return Augmentation.presetNames.first { Augmentation.preset(named: $0) == augmentation } ?? "custom: " + details(augmentation)
    }

    /// Every transform of a custom augmentation with its values.
    private static func details(_ a: Augmentation) -> String {
        func g(_ x: Double) -> String { String(format: "%g", x) }
        var parts: [String] = []
        if let crop = a.randomResizedCrop { parts.append("random resized crop of \(g(crop.scale.lowerBound))–\(g(crop.scale.upperBound)) of the area") }
        if a.horizontalFlip > 0 { parts.append("horizontal flip (p \(g(a.horizontalFlip)))") }
        if a.verticalFlip > 0 { parts.append("vertical flip (p \(g(a.verticalFlip)))") }
        if let t = a.affine {
            parts.append("affine (p \(g(t.probability)): rotation ±\(g(t.rotationDegrees))°, shift ±\(g(t.shift)), zoom ±\(g(t.zoom)), "
                         + "shear ±\(g(t.shearDegrees))°, fill \(t.fill.rawValue))")
        }
        if let c = a.color {
            parts.append("colour (p \(g(c.probability)): brightness ±\(g(c.brightness)), contrast ±\(g(c.contrast)), "
                         + "saturation ±\(g(c.saturation)), hue ±\(g(c.hue)))")
        }
        if let e = a.erasing { parts.append("random erasing (p \(g(e.probability)))") }
        if let m = a.mixing {
            parts.append("batch mixing (p \(g(m.probability)): MixUp alpha \(m.mixUpAlpha.map(g) ?? "off"), CutMix alpha \(m.cutMixAlpha.map(g) ?? "off"))")
        }
        return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
    }

    private static func epochs(_ n: Int) -> String { n == 1 ? "1 epoch" : "\(n) epochs" }
    private static func rate(_ value: Float) -> String { String(format: "%.1e", Double(value)) }
    private static func percent(_ fraction: Double) -> String { String(format: "%g%%", fraction * 100) }
    private static func format(_ value: Float) -> String { String(format: "%g", Double(value)) }
}
