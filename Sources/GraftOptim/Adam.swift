import GraftCore

/// Adam with PyTorch's semantics (`torch.optim.Adam`): bias-corrected moments, epsilon added
/// after the square root, and weight decay as an L2 term added to the gradient.
public class Adam: Optimizer {
    private var settings: AdamSettings
    private var book: GroupedParameters
    private let decoupledWeightDecay: Bool

    public convenience init(groups: [ParameterGroup], learningRate: Float = 1e-3, beta1: Float = 0.9,
                            beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(kind: "Adam", decoupledWeightDecay: false, groups: groups, learningRate: learningRate,
                  beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    /// All parameters in one group named "default".
    public convenience init(parameters: [(name: String, tensor: Tensor)], learningRate: Float = 1e-3,
                            beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.init(groups: [ParameterGroup(name: "default", parameters: parameters)], learningRate: learningRate,
                  beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
    }

    init(kind: String, decoupledWeightDecay: Bool, groups: [ParameterGroup], learningRate: Float,
         beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float) {
        settings = AdamSettings(beta1: beta1, beta2: beta2, epsilon: epsilon, optimizer: kind)
        book = GroupedParameters(kind: kind, bufferNames: ["exp_avg", "exp_avg_sq"], groups: groups,
                                 learningRate: learningRate, defaultWeightDecay: weightDecay)
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    public var beta1: Float { settings.beta1 }
    public var beta2: Float { settings.beta2 }
    public var epsilon: Float { settings.epsilon }
    public var groups: [ParameterGroup] { book.groups }

    public var learningRate: Float {
        get { book.learningRate }
        set { book.learningRate = newValue }
    }

    public func step() { book.adamStep(settings, decoupledWeightDecay: decoupledWeightDecay) }

    public func zeroGrad() { book.zeroGrad() }

    public func stateDict() -> OptimizerState { book.saved(hyperParameters: settings.saved) }

    public func load(_ state: OptimizerState) throws {
        settings = AdamSettings(saved: try book.restore(state, hyperParameterNames: AdamSettings.names))
    }
}
