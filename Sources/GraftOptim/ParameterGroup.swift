import GraftCore

/// A parameter together with the name its optimizer state is saved under. Names must be stable
/// across runs (PyTorch-style keys such as "layer1.0.conv1.weight"), so that a checkpoint can be
/// restored into a freshly built model.
public struct NamedParameter {
    public let name: String
    public let tensor: Tensor

    public init(name: String, tensor: Tensor) {
        self.name = name
        self.tensor = tensor
    }
}

/// Parameters that share a learning rate and weight decay: in fine-tuning, a pretrained backbone
/// usually learns more slowly than a freshly initialised head (discriminative learning rates).
public struct ParameterGroup {
    /// Which learning rate a group asked for; the optimizer turns it into a scale of its own rate.
    public enum LearningRate {
        /// A multiple of the optimizer's learning rate (1 means the optimizer's rate itself).
        case scaled(Float)
        /// This rate at the optimizer's initial learning rate; it follows later changes
        /// (schedules) proportionally.
        case absolute(Float)
    }

    public let name: String
    public let parameters: [NamedParameter]
    /// Multiplies the optimizer's learning rate for this group. Kept as a ratio so that a
    /// schedule driving the optimizer's rate moves every group together.
    public internal(set) var learningRateScale: Float
    /// nil until the optimizer fills in its own default.
    public internal(set) var weightDecay: Float?

    var requestedLearningRate: LearningRate

    public init(name: String, parameters: [NamedParameter], learningRate: LearningRate = .scaled(1),
                weightDecay: Float? = nil) {
        self.name = name
        self.parameters = parameters
        self.requestedLearningRate = learningRate
        if case .scaled(let scale) = learningRate { learningRateScale = scale } else { learningRateScale = 1 }
        self.weightDecay = weightDecay
    }

    public init(name: String, parameters: [(name: String, tensor: Tensor)],
                learningRate: LearningRate = .scaled(1), weightDecay: Float? = nil) {
        self.init(name: name, parameters: parameters.map { NamedParameter(name: $0.name, tensor: $0.tensor) },
                  learningRate: learningRate, weightDecay: weightDecay)
    }

    /// Unnamed parameters are keyed by their position, which is stable only while the list is.
    public init(name: String, tensors: [Tensor], learningRate: LearningRate = .scaled(1),
                weightDecay: Float? = nil) {
        self.init(name: name,
                  parameters: tensors.enumerated().map { NamedParameter(name: String($0.offset), tensor: $0.element) },
                  learningRate: learningRate, weightDecay: weightDecay)
    }

    /// The key of one parameter's state in a saved `OptimizerState`.
    public func stateKey(of parameterName: String) -> String { "\(name)/\(parameterName)" }

    /// Fixes the scale and weight decay relative to the optimizer's own settings.
    mutating func resolve(baseLearningRate: Float, defaultWeightDecay: Float) {
        if case .absolute(let rate) = requestedLearningRate {
            precondition(baseLearningRate > 0,
                         "group '\(name)' gives an absolute learning rate, which needs a positive optimizer learning rate")
            learningRateScale = rate / baseLearningRate
        }
        requestedLearningRate = .scaled(learningRateScale)
        if weightDecay == nil { weightDecay = defaultWeightDecay }
    }
}
