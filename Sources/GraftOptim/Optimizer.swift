import GraftCore

/// Updates parameters from their gradients, group by group.
///
/// Only parameters with `requiresGrad` and a gradient are updated; the others (frozen layers, or
/// parameters the loss did not reach) keep their values bit for bit and get no state.
public protocol Optimizer: AnyObject {
    /// The groups, with each group's learning-rate scale and weight decay as currently in force.
    var groups: [ParameterGroup] { get }
    /// The base learning rate; each group uses it times its `learningRateScale`, so setting it
    /// (from a schedule, say) moves all groups proportionally.
    var learningRate: Float { get set }
    /// One update of every parameter that has a gradient.
    func step()
    /// Forgets all gradients, ready for the next backward pass.
    func zeroGrad()
    /// A copy of the settings and per-parameter state, for checkpoints.
    func stateDict() -> OptimizerState
    /// Restores `stateDict()` output, settings included; throws `OptimizerStateError` naming the
    /// offending key when it does not fit, and then changes nothing.
    func load(_ state: OptimizerState) throws
}

extension Optimizer {
    /// The learning rate `step()` uses for the group called `name`.
    public func learningRate(ofGroup name: String) -> Float? {
        groups.first { $0.name == name }.map { learningRate * $0.learningRateScale }
    }

    public var parameters: [NamedParameter] { groups.flatMap(\.parameters) }
}
