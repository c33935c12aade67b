import GraftCore

/// The groups of an optimizer and the state of each of their parameters: the bookkeeping that
/// SGD, Adam and AdamW share, so that each of them only supplies its update rule.
struct GroupedParameters {
    /// The optimizer's name in saved states.
    let kind: String
    /// Names of the per-parameter buffers, as saved.
    let bufferNames: [String]
    private(set) var groups: [ParameterGroup]
    var learningRate: Float
    /// Parallel to `groups[g].parameters`; nil until the parameter's first update, so frozen
    /// parameters cost no memory.
    private var states: [[ParameterState?]]

    init(kind: String, bufferNames: [String], groups: [ParameterGroup], learningRate: Float,
         defaultWeightDecay: Float) {
        precondition(learningRate >= 0, "\(kind): negative learning rate \(learningRate)")
        var seenKeys = Set<String>()
        var seenTensors = Set<ObjectIdentifier>()
        var seenGroups = Set<String>()
        var resolved = groups
        for g in resolved.indices {
            resolved[g].resolve(baseLearningRate: learningRate, defaultWeightDecay: defaultWeightDecay)
            let group = resolved[g]
            precondition(seenGroups.insert(group.name).inserted, "\(kind): two parameter groups named '\(group.name)'")
            for parameter in group.parameters {
                let key = group.stateKey(of: parameter.name)
                precondition(seenKeys.insert(key).inserted, "\(kind): two parameters with key '\(key)'")
                // One tensor in two groups would be updated twice per step.
                precondition(seenTensors.insert(ObjectIdentifier(parameter.tensor)).inserted,
                             "\(kind): parameter '\(key)' is already in another group or under another name")
                precondition(parameter.tensor.isPlainLayout,
                             "\(kind): parameter '\(key)' must be in plain layout to be updated in place")
            }
        }
        self.kind = kind
        self.bufferNames = bufferNames
        self.groups = resolved
        self.learningRate = learningRate
        self.states = resolved.map { [ParameterState?](repeating: nil, count: $0.parameters.count) }
    }

    /// Calls `body` for each parameter that has a gradient and wants an update, with its state
    /// (created on first use) and its group's learning rate and weight decay. Other parameters
    /// are left alone entirely: no update with a zero gradient, no state, no step count.
    mutating func forEachUpdatable(_ body: (_ parameter: Tensor, _ gradient: Tensor, _ state: ParameterState,
                                            _ learningRate: Float, _ weightDecay: Float) -> Void) {
        for g in groups.indices {
            let group = groups[g]
            let groupRate = learningRate * group.learningRateScale
            let weightDecay = group.weightDecay ?? 0
            for (p, parameter) in group.parameters.enumerated() {
                let tensor = parameter.tensor
                guard tensor.requiresGrad, let gradient = tensor.grad else { continue }
                precondition(gradient.shape == tensor.shape,
                             "gradient of '\(group.stateKey(of: parameter.name))' has shape \(gradient.shape), not \(tensor.shape)")
                let state: ParameterState
                if let existing = states[g][p] {
                    state = existing
                } else {
                    state = ParameterState(buffers: bufferNames.map { _ in StateBuffer(count: tensor.count) })
                    states[g][p] = state
                }
                body(tensor, gradient, state, groupRate, weightDecay)
            }
        }
    }

    func zeroGrad() {
        for group in groups {
            for parameter in group.parameters { parameter.tensor.zeroGrad() }
        }
    }

    // MARK: Saving and restoring

    func saved(hyperParameters: [String: Float]) -> OptimizerState {
        var parameters: [String: OptimizerState.Parameter] = [:]
        for (g, group) in groups.enumerated() {
            for (p, parameter) in group.parameters.enumerated() {
                guard let state = states[g][p] else { continue }
                var buffers: [String: SavedFloats] = [:]
                for (name, buffer) in zip(bufferNames, state.buffers) {
                    buffers[name] = SavedFloats(shape: parameter.tensor.shape, values: buffer.values)
                }
                parameters[group.stateKey(of: parameter.name)] = OptimizerState.Parameter(step: state.step, buffers: buffers)
            }
        }
        return OptimizerState(
            optimizer: kind, learningRate: learningRate, hyperParameters: hyperParameters,
            groups: groups.map {
                OptimizerState.Group(name: $0.name, parameterNames: $0.parameters.map(\.name),
                                     learningRateScale: $0.learningRateScale, weightDecay: $0.weightDecay ?? 0)
            },
            parameters: parameters)
    }

    /// Replaces all settings and state with `saved`, returning its hyper-parameters. Checks
    /// everything first, so a state that does not fit leaves the optimizer as it was.
    mutating func restore(_ saved: OptimizerState, hyperParameterNames: [String]) throws -> [String: Float] {
        guard saved.optimizer == kind else { throw OptimizerStateError.wrongOptimizer(expected: kind, found: saved.optimizer) }
        for name in hyperParameterNames where saved.hyperParameters[name] == nil {
            throw OptimizerStateError.missingHyperParameter(name)
        }
        let savedGroups = Dictionary(saved.groups.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let groupNames = Set(groups.map(\.name))
        if let extra = saved.groups.first(where: { !groupNames.contains($0.name) }) {
            throw OptimizerStateError.unexpectedGroup(extra.name)
        }

        var restoredGroups = groups
        var restoredStates = states
        var knownKeys = Set<String>()
        for (g, group) in groups.enumerated() {
            guard let savedGroup = savedGroups[group.name] else { throw OptimizerStateError.missingGroup(group.name) }
            let names = Set(group.parameters.map(\.name))
            if let extra = savedGroup.parameterNames.first(where: { !names.contains($0) }) {
                throw OptimizerStateError.unexpectedParameter(key: group.stateKey(of: extra))
            }
            let savedNames = Set(savedGroup.parameterNames)
            for (p, parameter) in group.parameters.enumerated() {
                let key = group.stateKey(of: parameter.name)
                guard savedNames.contains(parameter.name) else { throw OptimizerStateError.missingParameter(key: key) }
                knownKeys.insert(key)
                restoredStates[g][p] = try restoredState(saved.parameters[key], key: key, shape: parameter.tensor.shape)
            }
            restoredGroups[g].learningRateScale = savedGroup.learningRateScale
            restoredGroups[g].weightDecay = savedGroup.weightDecay
        }
        if let extra = saved.parameters.keys.sorted().first(where: { !knownKeys.contains($0) }) {
            throw OptimizerStateError.unexpectedParameter(key: extra)
        }

        groups = restoredGroups
        states = restoredStates
        learningRate = saved.learningRate
        return saved.hyperParameters
    }

    private func restoredState(_ saved: OptimizerState.Parameter?, key: String, shape: [Int]) throws -> ParameterState? {
        guard let saved else { return nil }
        let buffers = try bufferNames.map { name -> StateBuffer in
            guard let buffer = saved.buffers[name] else { throw OptimizerStateError.missingBuffer(key: key, buffer: name) }
            guard buffer.shape == shape, buffer.values.count == shape.reduce(1, *) else {
                throw OptimizerStateError.shapeMismatch(key: key, buffer: name, expected: shape, found: buffer.shape)
            }
            return StateBuffer(copying: buffer.values)
        }
        let state = ParameterState(buffers: buffers)
        state.step = saved.step
        return state
    }
}
