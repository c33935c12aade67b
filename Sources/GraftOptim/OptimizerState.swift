/// Everything an optimizer needs to resume exactly where it stopped: hyper-parameters, each
/// group's settings, and each parameter's update count and buffers.
///
/// Parameter state is keyed by "group name/parameter name" (see `ParameterGroup.stateKey(of:)`),
/// never by position or object identity, so it can be restored into a freshly built model.
/// Parameters that were never updated (frozen, or without a gradient so far) have no entry.
public struct OptimizerState: Codable, Equatable {
    /// The optimizer type ("SGD", "Adam", "AdamW"); a state loads only into the same type.
    public var optimizer: String
    public var learningRate: Float
    /// Settings shared by all groups, such as "momentum" or "beta1".
    public var hyperParameters: [String: Float]
    public var groups: [Group]
    public var parameters: [String: Parameter]

    public init(optimizer: String, learningRate: Float, hyperParameters: [String: Float],
                groups: [Group], parameters: [String: Parameter]) {
        self.optimizer = optimizer
        self.learningRate = learningRate
        self.hyperParameters = hyperParameters
        self.groups = groups
        self.parameters = parameters
    }

    public struct Group: Codable, Equatable {
        public var name: String
        /// The group's parameter names in order, so a load can tell which ones are missing.
        public var parameterNames: [String]
        public var learningRateScale: Float
        public var weightDecay: Float

        public init(name: String, parameterNames: [String], learningRateScale: Float, weightDecay: Float) {
            self.name = name
            self.parameterNames = parameterNames
            self.learningRateScale = learningRateScale
            self.weightDecay = weightDecay
        }
    }

    public struct Parameter: Codable, Equatable {
        /// How many updates this parameter has received (Adam's bias correction depends on it).
        public var step: Int
        /// Named buffers such as "momentum_buffer", "exp_avg", "exp_avg_sq".
        public var buffers: [String: SavedFloats]

        public init(step: Int, buffers: [String: SavedFloats]) {
            self.step = step
            self.buffers = buffers
        }
    }
}
