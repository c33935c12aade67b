import CDNNL
import Foundation

/// A float32 tensor. Its storage carries a oneDNN layout, so a chain of ops stays in the layout
/// the kernels prefer (nChw8c / nChw16c) and data is reordered only at the edges: when it comes
/// from the user, and when the user reads it back with `values`.
///
/// Tensors record the op that produced them when an input needs a gradient; `backward()` on a
/// scalar walks that record in reverse.
public final class Tensor {
    /// The logical shape, outermost first (N, C, H, W for images).
    public let shape: [Int]
    var storage: Storage
    /// Leaves (parameters) set this to receive a gradient; op results inherit it from their inputs.
    public var requiresGrad: Bool
    /// The accumulated gradient of a leaf after `backward()`, in the leaf's own layout.
    public internal(set) var grad: Tensor?
    /// The op that produced this tensor, while its backward has not run yet.
    var gradNode: GradNode?
    /// Bumped by in-place updates, so that cached copies in other layouts know they are stale.
    public internal(set) var version = 0
    /// Copies of this tensor in other layouts (weights in a convolution's blocked layout). Guarded
    /// by `layoutCacheLock`: inference threads may share weights.
    private var layoutCache: [LayoutKey: (version: Int, storage: Storage)] = [:]
    /// One lock for every tensor's layout cache: only weights use one, and it guards no more than a
    /// dictionary look-up (the reorder runs outside it).
    private static let layoutCacheLock = NSLock()

    init(storage: Storage, shape: [Int]? = nil, requiresGrad: Bool = false) {
        self.storage = storage
        self.shape = shape ?? storage.layout.dims
        self.requiresGrad = requiresGrad
    }

    /// A tensor holding `values` in row-major order.
    public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) {
        let count = shape.reduce(1, *)
        precondition(values.count == count, "\(values.count) values for shape \(shape) (\(count) elements)")
        let storage = Storage(layout: .plain(shape))
        values.withUnsafeBufferPointer { storage.floats.update(from: $0.baseAddress!, count: count) }
        self.init(storage: storage, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor with every element equal to `value`.
    public convenience init(shape: [Int], repeating value: Float, requiresGrad: Bool = false) {
        self.init(shape: shape, values: [Float](repeating: value, count: shape.reduce(1, *)),
                  requiresGrad: requiresGrad)
    }

    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 0, requiresGrad: requiresGrad)
    }

    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, repeating: 1, requiresGrad: requiresGrad)
    }

    /// Number of logical elements.
    public var count: Int { shape.reduce(1, *) }

    /// The elements in row-major order of the logical shape (reordered from a blocked layout).
    public var values: [Float] {
        let plain = storage.reordered(to: .plain(shape))
        return Array(UnsafeBufferPointer(start: plain.floats, count: count))
    }

    /// The only element of a one-element tensor (a loss, for example).
    public var item: Float {
        precondition(count == 1, "item needs a one-element tensor, not shape \(shape)")
        return values[0]
    }

    /// Whether the elements lie in row-major order of the logical shape (parameters do; in-place
    /// updates need it).
    public var isPlainLayout: Bool { storage.layout.isPlain }

    /// A description of the physical layout, such as "plain" or "blocked(C by 16)".
    public var layoutDescription: String {
        if isPlainLayout { return "plain" }
        if let b = storage.layout.channelBlock { return "blocked(C by \(b))" }
        if storage.layout.isChannelsLast { return "channels-last" }
        return "blocked"
    }

    /// The same values, cut off from the record of how they were computed.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape)
    }

    /// Overwrites the contents with `values` (row-major), keeping the layout.
    public func assign(_ values: [Float]) {
        precondition(values.count == count, "\(values.count) values for shape \(shape)")
        let plain = Tensor(shape: shape, values: values)
        Reorder.run(from: plain.storage, to: storage)
        version += 1
    }

    /// Runs `body` on the raw buffer of a plain tensor (parameters, optimizer state), in place.
    public func withUnsafeMutableBuffer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(isPlainLayout, "in-place access needs a plain tensor")
        defer { version += 1 }
        return try body(UnsafeMutableBufferPointer(start: storage.floats, count: count))
    }

    /// Read-only access to the elements of a plain tensor without copying.
    public func withUnsafeBuffer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let plain = storage.reordered(to: .plain(shape))
        return try body(UnsafeBufferPointer(start: plain.floats, count: count))
    }

    /// This tensor's storage in `layout`; for weights the reordered copy is cached until the
    /// tensor changes, so a layer reorders its weights once per optimizer step, not per use.
    /// A layout with other dims of the same row-major order (grouped convolution weights as 5-D)
    /// reinterprets the plain bytes first.
    func cachedStorage(in layout: Layout) -> Storage {
        if storage.layout == layout { return storage }
        let key = layout.key
        let version = self.version
        Tensor.layoutCacheLock.lock()
        let cached = layoutCache[key]
        Tensor.layoutCacheLock.unlock()
        if let cached, cached.version == version { return cached.storage }
        var source = storage
        if layout.dims != shape {
            precondition(storage.layout.isPlain && layout.dims.reduce(1, *) == count,
                         "cannot view \(shape) as \(layout.dims)")
            source = Storage(aliasing: storage, as: .plain(layout.dims))
        }
        let copy = source.reordered(to: layout)
        Tensor.layoutCacheLock.lock()
        layoutCache[key] = (version, copy)
        Tensor.layoutCacheLock.unlock()
        return copy
    }

    /// Forgets the gradient (before the next step's backward).
    public func zeroGrad() { grad = nil }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = values.prefix(8).map { String(format: "%.4g", $0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(shown)\(count > 8 ? ", ..." : "")])"
    }
}
