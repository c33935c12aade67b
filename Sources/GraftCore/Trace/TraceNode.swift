/// One op as it ran in a traced pass.
public struct TraceNode: Sendable {
    public let op: TraceOp
    /// Every value the op read, the data input(s) first, then weights, biases, statistics and
    /// residuals in the order its attributes name them.
    public let inputs: [TraceValueID]
    public let output: TraceValueID
}
