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
public enum GradMode {
    public private(set) static var isEnabled = true

    /// Runs `body` without recording: for inference, evaluation and optimizer updates.
    public static func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
        let saved = isEnabled
        isEnabled = false
        defer { isEnabled = saved }
        return try body()
    }
}

/// Counts of recorded and executed backward work per op, so tests and benchmarks can check that
/// frozen layers cost nothing.
public final class AutodiffStats {
    public static let shared = AutodiffStats()
    public private(set) var recorded: [String: Int] = [:]
    public private(set) var executed: [String: Int] = [:]
    /// Individual backward kernels that ran (for example "conv.backwardData", "conv.backwardWeights").
    public private(set) var kernels: [String: Int] = [:]

    public func reset() {
        recorded = [:]
        executed = [:]
        kernels = [:]
    }

    func noteRecorded(_ op: String) { recorded[op, default: 0] += 1 }
    func noteExecuted(_ op: String) { executed[op, default: 0] += 1 }
    func noteKernel(_ name: String) { kernels[name, default: 0] += 1 }
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
