import Foundation

/// Collects the nodes of one capture. Bound to the capturing thread (and task) through a task-local
/// value, so ops on other threads never see it.
final class TraceRecorder: @unchecked Sendable {
    @TaskLocal static var active: TraceRecorder?

    /// Guards everything below: a capture is meant for one thread, but a task the body starts would
    /// inherit the recorder.
    private let lock = NSLock()
    private var ids: [ObjectIdentifier: TraceValueID] = [:]
    /// Every tensor given an id stays alive until the capture ends, so that no other tensor can take
    /// its address (and with it its id).
    private var retained: [Tensor] = []
    private var values: [TraceValue] = []
    private var nodes: [TraceNode] = []
    private let names: [ObjectIdentifier: String]
    private var foldings: [ObjectIdentifier: BatchNormFolding] = [:]

    init(names: [(name: String, tensor: Tensor)]) {
        var byTensor: [ObjectIdentifier: String] = [:]
        // The first name wins where a tensor is registered twice.
        for (name, tensor) in names where byTensor[ObjectIdentifier(tensor)] == nil { byTensor[ObjectIdentifier(tensor)] = name }
        self.names = byTensor
    }

    func declareInput(_ tensor: Tensor) -> TraceValueID {
        lock.withLock { register(tensor, role: .input) }
    }

    /// Records one op: `output` computed from `inputs`, described by `op` (which reads input ids
    /// from the table it is given).
    func note(_ output: Tensor, inputs: [Tensor], op: (TraceIDs) -> TraceOp) {
        let table = lock.withLock { TraceIDs(ids: Dictionary(inputs.map { (ObjectIdentifier($0), id(of: $0)) }) { a, _ in a }) }
        let described = op(table)
        lock.withLock {
            let inputIDs = inputs.map { table[$0] }
            nodes.append(TraceNode(op: described, inputs: inputIDs, output: register(output, role: .intermediate)))
        }
    }

    func noteFolding(weight: Tensor, bias: Tensor?, _ make: ((Tensor) -> String?, BatchNormFolding.Part) -> BatchNormFolding) {
        lock.withLock {
            let name = { (tensor: Tensor) in self.names[ObjectIdentifier(tensor)] }
            foldings[ObjectIdentifier(weight)] = make(name, .weight)
            retained.append(weight)
            if let bias {
                foldings[ObjectIdentifier(bias)] = make(name, .bias)
                retained.append(bias)
            }
        }
    }

    func finish(inputs: [TraceValueID], output: Tensor) -> InferenceTrace {
        lock.withLock {
            let outputID = id(of: output)
            defer { retained = [] }
            return InferenceTrace(nodes: nodes, values: values, inputs: inputs, output: outputID)
        }
    }

    /// The id of a tensor seen before, else a new constant's. Call with the lock held.
    private func id(of tensor: Tensor) -> TraceValueID {
        ids[ObjectIdentifier(tensor)] ?? register(tensor, role: .constant)
    }

    /// A new id for `tensor`: an op's result always gets a new one, even for a tensor seen before.
    private func register(_ tensor: Tensor, role: TraceValue.Role) -> TraceValueID {
        let id = TraceValueID(rawValue: values.count)
        let key = ObjectIdentifier(tensor)
        ids[key] = id
        retained.append(tensor)
        let constant = role == .constant
        values.append(TraceValue(id: id, shape: tensor.shape, role: role, values: constant ? tensor.values : nil,
                                 name: constant ? names[key] : nil, folding: constant ? foldings[key] : nil))
        return id
    }
}

/// The ids of an op's inputs, for describing the op.
struct TraceIDs {
    let ids: [ObjectIdentifier: TraceValueID]

    subscript(tensor: Tensor) -> TraceValueID {
        guard let id = ids[ObjectIdentifier(tensor)] else { preconditionFailure("a traced op named a tensor it did not list as input") }
        return id
    }
}

/// `output` as it is, noted in the capture running on this thread (if any) as `op` applied to
/// `inputs`. Ops call it on their result; the closures run only while a capture runs.
func traced(_ output: Tensor, inputs: @autoclosure () -> [Tensor?], _ op: (TraceIDs) -> TraceOp) -> Tensor {
    guard let recorder = TraceRecorder.active else { return output }
    recorder.note(output, inputs: inputs().compactMap { $0 }, op: op)
    return output
}

/// Runs `body` with no capture on this thread: for an op made of other ops that is traced as one.
func untraced<R>(_ body: () throws -> R) rethrows -> R {
    guard TraceRecorder.active != nil else { return try body() }
    return try TraceRecorder.$active.withValue(nil, operation: body)
}
