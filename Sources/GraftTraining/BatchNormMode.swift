import GraftNN

/// What BatchNorm layers of the backbone do in a training forward pass.
public enum BatchNormMode: String, Codable, CaseIterable, Sendable {
    /// Normalize with the running statistics and never change them, in frozen and unfrozen
    /// blocks alike; scale and shift of unfrozen blocks still train (Keras' fine-tuning advice:
    /// batch statistics of a small dataset wreck what the pretrained statistics know).
    case inference
    /// Unfrozen blocks normalize with batch statistics and update their running ones.
    case train
}

extension ImageClassifier {
    /// Puts every BatchNorm of the backbone in the mode `batchNormMode` asks for, given which
    /// parameters are trainable now. Call after changing what is frozen (the freezing helpers do).
    public func applyBatchNormMode() {
        for (_, module) in backbone.namedModules() {
            guard let norm = module as? BatchNorm2d else { continue }
            let trainable = norm.weight?.requiresGrad ?? false
            norm.usesRunningStatistics = batchNormMode == .inference || !trainable
        }
    }
}
