import GraftCore

/// Stochastic gradient descent with PyTorch's semantics (`torch.optim.SGD`): weight decay added
/// to the gradient, momentum buffer started from the first gradient, optional dampening and
/// Nesterov momentum.
public final class SGD: Optimizer {
    public private(set) var momentum: Float
    public private(set) var dampening: Float
    public private(set) var nesterov: Bool
    private var book: GroupedParameters

    /// `weightDecay` applies to groups that do not set their own.
    public init(groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(momentum >= 0, "SGD: negative momentum \(momentum)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        book = GroupedParameters(kind: "SGD", bufferNames: momentum > 0 ? ["momentum_buffer"] : [],
                                 groups: groups, learningRate: learningRate, defaultWeightDecay: weightDecay)
    }

    /// All parameters in one group named "default".
    public convenience init(parameters: [(name: String, tensor: Tensor)], learningRate: Float, momentum: Float = 0,
                            dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        self.init(groups: [ParameterGroup(name: "default", parameters: parameters)], learningRate: learningRate,
                  momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    public var groups: [ParameterGroup] { book.groups }

    public var learningRate: Float {
        get { book.learningRate }
        set { book.learningRate = newValue }
    }

    public func step() {
        let momentum = momentum, dampening = dampening, nesterov = nesterov
        book.forEachUpdatable { parameter, gradient, state, learningRate, weightDecay in
            parameter.withUnsafeMutableBuffer { p in
                gradient.withUnsafeBuffer { g in
                    guard let p = p.baseAddress, let g = g.baseAddress else { return }
                    let count = parameter.count
                    if momentum == 0 {
                        sgdUpdate(p, g, count: count, learningRate: learningRate, weightDecay: weightDecay)
                    } else {
                        // The buffer starts at zero, so `0 * buffer + 1 * d` on the first step is
                        // PyTorch's `buffer = d` exactly.
                        let first = state.step == 0
                        sgdMomentumUpdate(p, g, state.buffers[0].pointer, count: count, learningRate: learningRate,
                                          weightDecay: weightDecay, keep: first ? 0 : momentum,
                                          take: first ? 1 : 1 - dampening, nesterovMomentum: nesterov ? momentum : nil)
                    }
                }
            }
            state.step += 1
        }
    }

    public func zeroGrad() { book.zeroGrad() }

    public func stateDict() -> OptimizerState {
        book.saved(hyperParameters: ["momentum": momentum, "dampening": dampening, "nesterov": nesterov ? 1 : 0])
    }

    public func load(_ state: OptimizerState) throws {
        // Whether momentum is on decides which buffers exist, so a state must agree on it.
        if let saved = state.hyperParameters["momentum"], (saved > 0) != (momentum > 0) {
            throw OptimizerStateError.incompatibleHyperParameter(name: "momentum", expected: momentum, found: saved)
        }
        let hyper = try book.restore(state, hyperParameterNames: ["momentum", "dampening", "nesterov"])
        momentum = hyper["momentum"]!
        dampening = hyper["dampening"]!
        nesterov = hyper["nesterov"]! != 0
    }
}

/// `p -= lr * (g + wd * p)`.
private func sgdUpdate(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, count: Int,
                       learningRate: Float, weightDecay: Float) {
    for i in 0..<count {
        let d = g[i] + weightDecay * p[i]
        p[i] -= learningRate * d
    }
}

/// `buffer = keep * buffer + take * d`, then a step along the buffer (or, for Nesterov, along
/// `d + momentum * buffer`), where `d = g + wd * p`.
private func sgdMomentumUpdate(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                               _ buffer: UnsafeMutablePointer<Float>, count: Int, learningRate: Float,
                               weightDecay: Float, keep: Float, take: Float, nesterovMomentum: Float?) {
    // Two loops rather than a branch per element, so each one vectorizes on its own.
    if let momentum = nesterovMomentum {
        for i in 0..<count {
            let d = g[i] + weightDecay * p[i]
            let b = keep * buffer[i] + take * d
            buffer[i] = b
            p[i] -= learningRate * (d + momentum * b)
        }
    } else {
        for i in 0..<count {
            let d = g[i] + weightDecay * p[i]
            let b = keep * buffer[i] + take * d
            buffer[i] = b
            p[i] -= learningRate * b
        }
    }
}
