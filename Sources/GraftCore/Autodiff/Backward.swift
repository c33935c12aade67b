import Foundation

extension Tensor {
    /// Reverse-mode differentiation from this tensor (normally a scalar loss).
    ///
    /// Gradients of leaves accumulate into their `grad`; call `zeroGrad()` between steps. After
    /// it returns, the record is gone and nothing it saved is kept alive.
    ///
    /// `onGradientReady` is called once for each leaf that gets a gradient, as soon as that
    /// gradient is final (every recorded op that uses the leaf has run), while backward goes on
    /// through the earlier layers: where a gradient synchronizer starts reducing it across
    /// workers, as PyTorch DDP's bucket hooks do. Leaves that need no gradient (frozen
    /// parameters) are never reported.
    public func backward(gradient: Tensor? = nil, onGradientReady: ((Tensor) -> Void)? = nil) {
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
            onGradientReady?(self)
            return
        }

        propagate(from: root, seed: seed, releasing: true, deliver: { leaf, grad in leaf.accumulateLeafGradient(grad) },
                  leafDone: onGradientReady)
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
/// soon as it has run, so memory falls as backward proceeds. `leafDone` hears of each leaf that
/// received a gradient once the last node that uses it has run.
func propagate(from root: GradNode, seed: Storage, releasing: Bool, deliver: (Tensor, Storage) -> Void,
               leafDone: ((Tensor) -> Void)? = nil) {
    let order = topologicalOrder(from: root)
    var uses = leafDone == nil ? LeafUses() : LeafUses(order)
    var pending: [ObjectIdentifier: Storage] = [ObjectIdentifier(root): seed]
    func finish(_ node: GradNode) {
        if let leafDone { for leaf in uses.noteRun(of: node) { leafDone(leaf) } }
        if releasing { node.release() }
    }
    for node in order {
        guard let outputGrad = pending.removeValue(forKey: ObjectIdentifier(node)) else {
            finish(node)
            continue
        }
        let grads = node.run(outputGrad)
        AutodiffStats.shared.noteExecuted(node.op)
        for (edge, grad) in zip(node.edges, grads) {
            guard let grad else { continue }
            switch edge {
            case .none: continue
            case .leaf(let tensor):
                deliver(tensor, grad)
                uses.noteDelivery(to: tensor)
            case .node(let producer):
                let key = ObjectIdentifier(producer)
                pending[key] = pending[key].map { add($0, grad) } ?? grad
            }
        }
        finish(node)
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
