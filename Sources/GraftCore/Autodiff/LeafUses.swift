/// How many recorded ops still have to run before each leaf's gradient is final, so that
/// backward can announce a gradient the moment nothing more will be added to it.
struct LeafUses {
    private var remaining: [ObjectIdentifier: Int] = [:]
    private var delivered: Set<ObjectIdentifier> = []

    init() {}

    /// Counts the edges from the nodes of one backward pass to each leaf.
    init(_ nodes: [GradNode]) {
        for node in nodes {
            for case .leaf(let tensor) in node.edges { remaining[ObjectIdentifier(tensor), default: 0] += 1 }
        }
    }

    mutating func noteDelivery(to leaf: Tensor) { delivered.insert(ObjectIdentifier(leaf)) }

    /// The leaves whose last user is `node` and that received a gradient. Must be called before
    /// the node releases its edges.
    mutating func noteRun(of node: GradNode) -> [Tensor] {
        var done: [Tensor] = []
        for case .leaf(let tensor) in node.edges {
            let key = ObjectIdentifier(tensor)
            guard let count = remaining[key] else { continue }
            if count > 1 {
                remaining[key] = count - 1
            } else {
                remaining[key] = nil
                // Two edges of one node to the same leaf: report it once.
                if delivered.remove(key) != nil { done.append(tensor) }
            }
        }
        return done
    }
}
