extension Tensor {
    /// The gradient's elements as stored (the leaf's own layout, any channel padding included),
    /// made and zeroed first when backward left none. What a collective that combines the
    /// gradients of several workers element by element works on: every worker's tensors have
    /// the same layouts, so no reorder is needed on the way.
    public func withGradientStorage<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        let gradient: Tensor
        if let grad {
            gradient = grad
        } else {
            gradient = Tensor(storage: Storage(layout: storage.layout, zeroed: true), shape: shape)
            grad = gradient
        }
        defer { gradient.version += 1 }
        return try body(UnsafeMutableBufferPointer(start: gradient.storage.floats, count: gradient.storage.layout.byteCount / 4))
    }

    /// The number of floats `withGradientStorage` hands over.
    public var gradientStorageCount: Int { storage.layout.byteCount / 4 }
}
