import GraftCore

/// AdamW with PyTorch's semantics (`torch.optim.AdamW`): Adam whose weight decay is decoupled
/// from the gradient. Each step first shrinks the parameter by `lr * weightDecay`, so the decay
/// is not rescaled by the adaptive denominator (Loshchilov & Hutter). Its saved state is marked
/// "AdamW" and does not load into `Adam`, whose weight decay means something else.
public final class AdamW: Adam {
    public convenience init(groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2) {
        self.init(kind: "AdamW", decoupledWeightDecay: true, groups: groups, learningRate: learningRate,
                  beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// All parameters in one group named "default".
    public convenience init(parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3,
                            beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 1e-2) {
        self.init(groups: [ParameterGroup(name: "default", parameters: parameters)], learningRate: learningRate,
                  beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }
}
