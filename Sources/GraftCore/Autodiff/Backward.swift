import Foundation

extension Tensor {
    /// Reverse-mode differentiation from this tensor (normally a scalar loss).
    ///
    /// Gradients of leaves accumulate into their `grad`; call `zeroGrad()` between steps. After
    /// it returns, the record is gone and nothing it saved is kept alive.
    public func backward(gradient: Tensor? = nil) {
        precondition(requiresGrad, "backward() on a tensor that does not depend on any parameter needing a gradient")
        let seed: Storage
        if let gradient {
            precondition(gradient.shape == shape, "gradient shape \(gradient.shape) differs from \(shape)")
            seed = gradient.storage
        } else {
            precondition(count == 1, "backward() without a gradient needs a scalar, not shape \(shape)")
            seed = Storage(layout: storage.layout)
            seed.floats.pointee = 1
        }
        guard let root = gradNode else {
            accumulateLeafGradient(seed)
            return
        }

        propagate(from: root, seed: seed, releasing: true) { leaf, grad in leaf.accumulateLeafGradient(grad) }
        // Results of the recorded ops no longer lead anywhere.
        gradNode = nil
    }

    /// Adds `g` into this leaf's gradient, kept in the leaf's own layout so that optimizers
    /// update parameter and gradient element by element.
    func accumulateLeafGradient(_ g: Storage) {
        let aligned = g.reordered(to: storage.layout)
        if let existing = grad {
            addInPlace(existing.storage, aligned)
        } else {
            grad = Tensor(storage: aligned === g ? g.copy() : aligned, shape: shape)
        }
    }
}

/// Runs the backward rules of every node that leads to `root`, in reverse topological order,
/// handing each leaf's gradient to `deliver`. With `releasing`, each node drops what it saved as
/// soon as it has run, so memory falls as backward proceeds.
func propagate(from root: GradNode, seed: Storage, releasing: Bool, deliver: (Tensor, Storage) -> Void) {
    let order = topologicalOrder(from: root)
    var pending: [ObjectIdentifier: Storage] = [ObjectIdentifier(root): seed]
    for node in order {
        guard let outputGrad = pending.removeValue(forKey: ObjectIdentifier(node)) else {
            if releasing { node.release() }
            continue
        }
        let grads = node.run(outputGrad)
        AutodiffStats.shared.noteExecuted(node.op)
        for (edge, grad) in zip(node.edges, grads) {
            guard let grad else { continue }
            switch edge {
            case .none: continue
            case .leaf(let tensor): deliver(tensor, grad)
            case .node(let producer):
                let key = ObjectIdentifier(producer)
                pending[key] = pending[key].map { add($0, grad) } ?? grad
            }
        }
        if releasing { node.release() }
    }
}

/// Nodes in an order where each comes before every node that produced one of its inputs.
private func topologicalOrder(from root: GradNode) -> [GradNode] {
    var visited = Set<ObjectIdentifier>()
    var postorder: [GradNode] = []
    // Iterative depth-first search: deep networks would overflow a recursive one.
    var stack: [(GradNode, Int)] = [(root, 0)]
    visited.insert(ObjectIdentifier(root))
    while let (node, next) = stack.popLast() {
        let producers = node.producers
        if next < producers.count {
            stack.append((node, next + 1))
            let child = producers[next]
            if visited.insert(ObjectIdentifier(child)).inserted { stack.append((child, 0)) }
        } else {
            postorder.append(node)
        }
    }
    return postorder.reversed()
}

/// `a + b` into a new storage in `a`'s layout.
func add(_ a: Storage, _ b: Storage) -> Storage {
    let out = a.copy()
    addInPlace(out, b)
    return out
}

/// `a += b`, reordering `b` to `a`'s layout first. Zero padding stays zero.
func addInPlace(_ a: Storage, _ b: Storage) {
    let bb = b.reordered(to: a.layout)
    let n = a.floatCount
    let pa = a.floats, pb = bb.floats
    for i in 0..<n { pa[i] += pb[i] }
}
