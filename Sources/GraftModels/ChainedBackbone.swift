import GraftCore
import GraftNN

/// A backbone whose feature map is its block groups applied one after another, so a run can stop
/// after any group and go on from there later. With the first groups frozen and no augmentation,
/// their output is the same every epoch: fine-tuning computes it once and trains the rest on it.
public protocol ChainedBackbone: Backbone {
    /// The output of the first `groups` block groups, `1 ..< blockGroups.count`.
    func activation(_ x: Tensor, throughGroups groups: Int, context: ForwardContext) -> Tensor
    /// `featureMap` from the output of the first `groups` block groups, which the rest then runs on.
    func featureMap(continuingFrom activation: Tensor, afterGroups groups: Int, context: ForwardContext) -> Tensor
}

extension ChainedBackbone {
    func checkSplit(_ groups: Int) {
        precondition((1..<blockGroups.count).contains(groups),
                     "a split after \(groups) of \(blockGroups.count) block groups leaves one side empty")
    }
}
