import GraftModels
import GraftOptim

extension ImageClassifier {
    /// The trainable parameters as optimizer groups, keyed by their classifier keys.
    ///
    /// With no `learningRateDecayPerBlock` (or 1) they form one group, "default". With a factor
    /// the head forms the group "head" at the optimizer's rate, and each backbone block group
    /// with trainable parameters its own group "backbone.<block>", whose rate is the rate of the
    /// next unfrozen block towards the head times the factor: the last unfrozen block gets
    /// rate × factor, the one before it rate × factor², and so on (discriminative learning
    /// rates, as in ULMFiT and fastai: early layers hold general features and should move least).
    public func trainableParameterGroups(learningRateDecayPerBlock decay: Float? = nil) -> [ParameterGroup] {
        let trainable = namedParameters().filter(\.tensor.requiresGrad)
        guard let decay, decay != 1 else { return [ParameterGroup(name: "default", parameters: trainable)] }
        precondition(decay > 0, "learning-rate decay per block must be positive, not \(decay)")
        let backbonePrefix = "backbone."
        var remaining = trainable.filter { $0.name.hasPrefix(backbonePrefix) }
        var groups = [ParameterGroup(name: "head", parameters: trainable.filter { !$0.name.hasPrefix(backbonePrefix) })]
        var scale: Float = 1
        for block in backbone.blockGroups.reversed() {
            let mine = remaining.filter { entry in
                block.prefixes.contains { keyMatches(String(entry.name.dropFirst(backbonePrefix.count)), $0) }
            }
            guard !mine.isEmpty else { continue }
            let names = Set(mine.map(\.name))
            remaining.removeAll { names.contains($0.name) }
            scale *= decay
            groups.append(ParameterGroup(name: backbonePrefix + block.name, parameters: mine, learningRate: .scaled(scale)))
        }
        // Parameters outside every block group (none in the built-in backbones) go slowest.
        if !remaining.isEmpty {
            groups.append(ParameterGroup(name: "backbone.other", parameters: remaining, learningRate: .scaled(scale * decay)))
        }
        return groups.filter { !$0.parameters.isEmpty }
    }
}
