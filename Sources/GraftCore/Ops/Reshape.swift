/// The same elements, in row-major order, under another shape of equal size.
public func reshape(_ x: Tensor, _ shape: [Int]) -> Tensor {
    let count = shape.reduce(1, *)
    precondition(count == x.count, "cannot reshape \(x.shape) (\(x.count) elements) to \(shape)")
    let oldShape = x.shape
    let plain = x.storage.reordered(to: .plain(oldShape))
    let view = Storage(aliasing: plain, as: .plain(shape))
    let result = record("reshape", output: view, shape: shape, inputs: [x]) { dy in
        [Storage(aliasing: dy.reordered(to: .plain(shape)), as: .plain(oldShape))]
    }
    return traced(result, inputs: [x]) { _ in .reshape(shape: shape) }
}

/// (N, d1, d2, ...) -> (N, d1 * d2 * ...).
public func flatten(_ x: Tensor) -> Tensor {
    reshape(x, [x.shape[0], x.count / max(x.shape[0], 1)])
}
