/// Collects the nodes, initializers and value shapes of one ONNX graph, in topological order,
/// giving every node and value a name no other has.
struct GraphBuilder {
    private(set) var nodes: [ONNXNodeProto] = []
    private(set) var initializers: [ONNXTensorProto] = []
    /// Values whose shape the trace recorded, declared in the file (runtimes and checkers then
    /// verify them) and compared by `GraphCheck` with what the ops produce.
    private(set) var declaredShapes: [(name: String, shape: Shape)] = []
    private var declaredNames: Set<String> = []
    private var valueNames: Set<String> = []
    private var nodeNames: Set<String> = []
    /// Small constants (Clip's bounds, Slice's starts) shared by every node that needs them.
    private var sharedConstants: [String: String] = [:]

    init(reserving names: [String]) {
        valueNames = Set(names)
    }

    /// `base`, or `base_2`, `base_3`, ... when taken.
    private static func unique(_ base: String, in taken: inout Set<String>) -> String {
        var name = base
        var n = 2
        while taken.contains(name) {
            name = "\(base)_\(n)"
            n += 1
        }
        taken.insert(name)
        return name
    }

    /// Adds a node and returns the name of its output: `output` when given (a name reserved for
    /// the graph's outputs), else one made from the node's name.
    @discardableResult
    mutating func add(_ opType: String, _ inputs: [String], name layer: String, attributes: [ONNXAttributeProto] = [],
                      output: String? = nil) -> String {
        var node = ONNXNodeProto()
        node.opType = opType
        node.name = Self.unique("\(layer)/\(opType)", in: &nodeNames)
        node.input = inputs
        let out = output ?? Self.unique(node.name, in: &valueNames)
        node.output = [out]
        node.attribute = attributes
        nodes.append(node)
        return out
    }

    /// A float32 initializer named after `base` (a parameter key).
    mutating func addInitializer(_ base: String, shape: [Int], values: [Float]) -> String {
        let name = Self.unique(base, in: &valueNames)
        initializers.append(.float32(name, shape: shape, values: values))
        return name
    }

    /// A shared int64 constant (a shape, axes, indices), made once per distinct value.
    mutating func int64Constant(_ values: [Int], shape: [Int]? = nil) -> String {
        let key = "i64 \(shape ?? [values.count]) \(values)"
        if let name = sharedConstants[key] { return name }
        let name = Self.unique("const_i64_" + values.map(String.init).joined(separator: "_"), in: &valueNames)
        initializers.append(.int64(name, shape: shape ?? [values.count], values: values))
        sharedConstants[key] = name
        return name
    }

    /// A shared float32 scalar (Clip's bounds).
    mutating func scalar(_ value: Float) -> String {
        let key = "f32 \(value.bitPattern)"
        if let name = sharedConstants[key] { return name }
        let name = Self.unique("const_\(value)", in: &valueNames)
        initializers.append(.float32(name, shape: [], values: [value]))
        sharedConstants[key] = name
        return name
    }

    /// Records the shape `name` must have; a value declared before (an op that passed its input
    /// on) keeps its first declaration.
    mutating func declare(_ name: String, shape: Shape) {
        guard declaredNames.insert(name).inserted else { return }
        declaredShapes.append((name, shape))
    }
}

extension GraphBuilder {
    /// Gives the last node's output the name `name` (a graph output's), for the node that ends a
    /// chain lowered from one traced op. Nothing reads the old name yet: later nodes learn it
    /// from the lowering only after this.
    mutating func renameLastOutput(to name: String) {
        precondition(!nodes.isEmpty, "no node to rename")
        nodes[nodes.count - 1].output = [name]
    }
}
