import GraftCore
import GraftNN

/// (N, 1) logits z to (N, 2) logits [0, z]: a single sigmoid output seen as two classes.
///
/// softmax([0, z]) = (1 - sigmoid(z), sigmoid(z)), and the softmax cross-entropy of [0, z] is the
/// binary cross-entropy of z (label smoothing ε included: it becomes the targets (1 - ε) y + ε / 2),
/// so the loss, the metrics and the predictions need nothing of their own. Built from
/// differentiable ops (a constant column joined to z), so the gradient is concat's.
public final class TwoClassLogits: Module {
    public override init() {}

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        precondition(x.shape.count == 2 && x.shape[1] == 1, "TwoClassLogits wants (N, 1) logits, not \(x.shape)")
        return concatChannels([Tensor.zeros([x.shape[0], 1]), x])
    }
}
