import GraftCore
import GraftModels
import GraftNN

extension ImageClassifier {
    /// How many leading block groups are frozen now, when the backbone can run on from after them
    /// (a `ChainedBackbone`) and a later group trains: what fine-tuning can compute once. Nil
    /// when nothing leads frozen or the backbone cannot be split.
    public var frozenLeadingGroups: Int? {
        guard let chained = backbone as? any ChainedBackbone else { return nil }
        let trainable = trainableBackboneKeys
        let groups = chained.blockGroups
        let firstTraining = groups.firstIndex { group in
            trainable.contains { key in group.prefixes.contains { keyMatches(key, $0) } }
        }
        guard let firstTraining, firstTraining > 0 else { return nil }
        return firstTraining
    }

    /// The output of the backbone's first `groups` block groups for a batch of images.
    public func activation(_ images: Tensor, throughGroups groups: Int, context: ForwardContext) -> Tensor {
        context.applyingGradientSetting { chained.activation(images, throughGroups: groups, context: context) }
    }

    /// The head's input from the output of the first `groups` block groups: the rest of the
    /// backbone, then the pooling, exactly as `features` runs them.
    public func headInput(continuingFrom activation: Tensor, afterGroups groups: Int, context: ForwardContext) -> Tensor {
        context.applyingGradientSetting {
            let map = chained.featureMap(continuingFrom: activation, afterGroups: groups, context: context)
            // As `features`: the average is the backbone's own pooling.
            return headConfiguration.pooling == .avg ? globalAvgPool2d(map) : headConfiguration.pooling(map)
        }
    }

    /// The class scores from the output of the first `groups` block groups, as `forward` makes them.
    public func logits(continuingFrom activation: Tensor, afterGroups groups: Int, context: ForwardContext) -> Tensor {
        context.applyingGradientSetting {
            head(headInput(continuingFrom: activation, afterGroups: groups, context: context), context: context)
        }
    }

    private var chained: any ChainedBackbone {
        guard let chained = backbone as? any ChainedBackbone else {
            preconditionFailure("\(backbone.architecture) cannot be run from an intermediate block group")
        }
        return chained
    }
}
