/// One recorded op: how to turn the gradient of its output into gradients of its inputs.
///
/// Nodes are created only when an input needs a gradient, so a frozen part of a network leaves
/// no record and costs nothing in backward. A node drops its saved tensors once it has run.
///
/// A node keeps the nodes that produced its inputs, not the input tensors themselves: an
/// intermediate result is freed as soon as the forward pass is done with it, unless its op's
/// backward rule saved it (a convolution keeps its input, ReLU its output, an addition nothing).
final class GradNode {
    /// Where an input's gradient goes.
    enum Edge {
        /// The input needs no gradient.
        case none
        /// A tensor nothing recorded produced (a parameter): its gradient accumulates in it.
        case leaf(Tensor)
        /// The result of another recorded op.
        case node(GradNode)
    }

    let op: String
    private(set) var edges: [Edge]
    private var backward: ((Storage) -> [Storage?])?

    init(op: String, inputs: [Tensor], backward: @escaping (Storage) -> [Storage?]) {
        self.op = op
        edges = inputs.map { input in
            guard input.requiresGrad else { return .none }
            return input.gradNode.map(Edge.node) ?? .leaf(input)
        }
        self.backward = backward
    }

    /// Runs the backward rule once and releases everything the node saved.
    func run(_ outputGrad: Storage) -> [Storage?] {
        guard let backward else { preconditionFailure("backward through '\(op)' ran twice; its saved values are gone") }
        let grads = backward(outputGrad)
        precondition(grads.count == edges.count, "'\(op)' returned \(grads.count) gradients for \(edges.count) inputs")
        return grads
    }

    /// The recorded ops that produced this node's inputs.
    var producers: [GradNode] {
        edges.compactMap { if case .node(let producer) = $0 { return producer } else { return nil } }
    }

    func release() {
        backward = nil
        edges = []
    }
}

/// Whether ops record their backward at all (off inside `withoutGradients`).
///
/// The mode belongs to the calling thread (and the task it runs in), as PyTorch's grad mode does:
/// a server thread that runs inference without gradients leaves a training thread recording.
public enum GradMode {
    @TaskLocal private static var recording = true

    /// Whether ops on the calling thread record their backward now.
    public static var isEnabled: Bool { recording }

    /// Runs `body` without recording: for inference, evaluation and optimizer updates.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        try $recording.withValue(false, operation: body)
    }

    /// Runs `body` recording or not as `enabled` says (a scope inside `withoutGradients` may turn
    /// recording back on).
    public static func withGradients<R>(_ enabled: Bool, _ body: () throws -> R) rethrows -> R {
        try $recording.withValue(enabled, operation: body)
    }
}

/// Counts of recorded and executed backward work per op, so tests and benchmarks can check that
/// frozen layers cost nothing. Process-wide and locked: every thread's ops count here.
public final class AutodiffStats: @unchecked Sendable {
    public static let shared = AutodiffStats()

    private struct Counts {
        var recorded: [String: Int] = [:]
        var executed: [String: Int] = [:]
        var kernels: [String: Int] = [:]
    }

    private let counts = Locked(Counts())

    public var recorded: [String: Int] { counts.withLock { $0.recorded } }
    public var executed: [String: Int] { counts.withLock { $0.executed } }
    /// Individual backward kernels that ran (for example "conv.backwardData", "conv.backwardWeights").
    public var kernels: [String: Int] { counts.withLock { $0.kernels } }

    public func reset() { counts.withLock { $0 = Counts() } }

    func noteRecorded(_ op: String) { counts.withLock { $0.recorded[op, default: 0] += 1 } }
    func noteExecuted(_ op: String) { counts.withLock { $0.executed[op, default: 0] += 1 } }
    func noteKernel(_ name: String) { counts.withLock { $0.kernels[name, default: 0] += 1 } }
}

/// Makes the op's result and records its backward when some input needs a gradient.
func record(_ op: String, output: Storage, shape: [Int]? = nil, inputs: [Tensor],
            backward: @escaping (Storage) -> [Storage?]) -> Tensor {
    let result = Tensor(storage: output, shape: shape)
    guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else { return result }
    result.requiresGrad = true
    result.gradNode = GradNode(op: op, inputs: inputs, backward: backward)
    AutodiffStats.shared.noteRecorded(op)
    return result
}
