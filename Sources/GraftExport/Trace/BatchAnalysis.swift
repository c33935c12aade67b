import Graft

/// Which values of a trace carry the batch, found by tracing the same pass at batch sizes 1 and
/// 2 (with different images) and comparing the two: a dimension that differs is the batch.
///
/// The comparison is also what shows a model unexportable: a pass that runs other ops at
/// another batch size, folds the batch into another axis, or reads a tensor it computed outside
/// Graft's traced ops (a constant that changes with the images) cannot become one ONNX graph.
struct BatchAnalysis {
    /// Per value id, its shape with the batch marked.
    let shapes: [Shape]
    /// Constants whose first dimension is the batch (a column of zeros a head builds for its
    /// batch), with the one value all their elements hold.
    let filledConstants: [TraceValueID: Float]

    /// `single` is the trace at batch 1, `pair` the same pass at batch 2.
    init(single: InferenceTrace, pair: InferenceTrace, layers: LayerNames) throws {
        guard single.nodes.count == pair.nodes.count,
              zip(single.nodes, pair.nodes).allSatisfy({ Self.sameStep($0, $1) }),
              single.values.count == pair.values.count else {
            let first = zip(single.nodes, pair.nodes).enumerated().first { !Self.sameStep($0.element.0, $0.element.1) }?.offset
                ?? min(single.nodes.count, pair.nodes.count)
            let index = min(first, single.nodes.count - 1)
            throw ONNXExportError.unexportable(
                layer: index >= 0 ? layers.describe(index) : "the model's output",
                reason: "the model runs different ops for a batch of 1 and a batch of 2, so no single graph serves every batch size")
        }
        // The op that first reads each value, to name the layer at fault.
        var reader: [TraceValueID: Int] = [:]
        for (index, node) in single.nodes.enumerated() {
            for id in node.inputs where reader[id] == nil { reader[id] = index }
        }
        func layer(of id: TraceValueID) -> String { reader[id].map(layers.describe) ?? "\(id)" }

        var shapes: [Shape] = []
        var filled: [TraceValueID: Float] = [:]
        for (one, two) in zip(single.values, pair.values) {
            let shape = try Self.batchShape(one.shape, two.shape) {
                ONNXExportError.unexportable(layer: layer(of: one.id), reason: "value \(one.id) has shape \(one.shape) for a batch of 1 "
                                                 + "and \(two.shape) for a batch of 2: only the first axis may follow the batch")
            }
            shapes.append(shape)
            guard one.role == .constant else { continue }
            let changes = ONNXExportError.unexportable(
                layer: layer(of: one.id),
                reason: "it reads a tensor of shape \(one.shape) that changes with the input images but was computed outside "
                    + "Graft's traced ops, so the graph cannot compute it")
            guard let a = one.values, let b = two.values else { throw changes }
            if shape.first == .batch {
                // A tensor made for the batch: exportable when it is one value repeated.
                guard let v = a.first, a.allSatisfy({ $0 == v }), b.allSatisfy({ $0 == v }) else { throw changes }
                filled[one.id] = v
            } else if a != b {
                throw changes
            }
        }
        self.shapes = shapes
        filledConstants = filled
    }

    subscript(id: TraceValueID) -> Shape { shapes[id.rawValue] }

    /// The same op with the same inputs; a reshape's target may differ (by the batch).
    private static func sameStep(_ a: TraceNode, _ b: TraceNode) -> Bool {
        guard a.inputs == b.inputs, a.output == b.output else { return false }
        if case .reshape = a.op, case .reshape = b.op { return true }
        return a.op == b.op
    }

    /// `one` (batch 1) and `two` (batch 2) as one shape: equal dimensions are fixed; the first
    /// may be 1 and 2, the batch.
    private static func batchShape(_ one: [Int], _ two: [Int], _ error: () -> Error) throws -> Shape {
        guard one.count == two.count else { throw error() }
        return try zip(one, two).enumerated().map { axis, pair in
            if pair.0 == pair.1 { return .fixed(pair.0) }
            guard axis == 0, pair == (1, 2) else { throw error() }
            return .batch
        }
    }
}
