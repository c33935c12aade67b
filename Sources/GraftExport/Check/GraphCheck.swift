/// Graft's own check of a graph before it is written, so a mistake in the exporter is an error
/// that names the node instead of a file a runtime rejects (or runs wrongly): nodes in
/// topological order, every input defined before it is read, every name defined once, each op's
/// inputs of the types and shapes it needs, and the shape each op produces equal to the one the
/// trace recorded for that value.
struct GraphCheck {
    private var values: [String: CheckedValue] = [:]

    /// - Parameters:
    ///   - inputs: the graph's inputs and their shapes.
    ///   - declared: the shapes values must have (as the trace recorded them).
    ///   - outputs: the names the graph must produce.
    static func check(nodes: [ONNXNodeProto], initializers: [ONNXTensorProto], inputs: [(name: String, shape: Shape)],
                      declared: [(name: String, shape: Shape)], outputs: [String]) throws {
        var check = GraphCheck()
        for (name, shape) in inputs { try check.define(name, .float32(shape), by: "graph input") }
        for tensor in initializers {
            let shape = Shape(fixed: tensor.dims.map { Int($0) })
            let value: CheckedValue
            switch tensor.elementType {
            case .float: value = .float32(shape)
            case .int64: value = CheckedValue(element: .int64, shape: shape, elements: tensor.int64Values.map { $0.map(Dimension.fixed) })
            default: throw ONNXExportError.invalidGraph(node: tensor.name, reason: "initializer of type \(tensor.elementType)")
            }
            let count = tensor.elementType == .float ? tensor.rawData.count / 4 : tensor.int64Values?.count ?? 0
            guard count == shape.fixedCount else {
                throw ONNXExportError.invalidGraph(node: tensor.name, reason: "initializer holds \(count) elements for shape \(shape.text)")
            }
            try check.define(tensor.name, value, by: "initializer")
        }
        let expected = Dictionary(declared.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        for node in nodes {
            let inputs = try node.input.map { name -> CheckedValue in
                guard let value = check.values[name] else {
                    throw ONNXExportError.invalidGraph(node: node.name, reason: "it reads '\(name)', which no input, initializer or earlier node defines")
                }
                return value
            }
            let result = try NodeRules(node: node, inputs: inputs).output()
            guard node.output.count == 1, let name = node.output.first else {
                throw ONNXExportError.invalidGraph(node: node.name, reason: "it has \(node.output.count) outputs, not 1")
            }
            if let shape = expected[name], shape != result.shape {
                throw ONNXExportError.invalidGraph(node: node.name, reason: "it computes '\(name)' of shape \(result.shape.text), "
                                                       + "but the traced model's value has shape \(shape.text)")
            }
            try check.define(name, result, by: node.name)
        }
        for (name, _) in declared where check.values[name] == nil {
            throw ONNXExportError.invalidGraph(node: name, reason: "no node computes this traced value")
        }
        for name in outputs where check.values[name] == nil {
            throw ONNXExportError.invalidGraph(node: name, reason: "no node computes the graph's output '\(name)'")
        }
    }

    private mutating func define(_ name: String, _ value: CheckedValue, by owner: String) throws {
        guard !name.isEmpty, values[name] == nil else {
            throw ONNXExportError.invalidGraph(node: owner, reason: "it defines '\(name)', " + (name.isEmpty ? "an empty name" : "which is defined already"))
        }
        values[name] = value
    }
}
