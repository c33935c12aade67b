import CDNNL
import Foundation

/// A float32 buffer together with the oneDNN layout it is stored in.
///
/// Storage is immutable in shape and layout; its contents may be written by the op that creates
/// it, by gradient accumulation and by optimizers (which update parameters in place).
final class Storage {
    let layout: Layout
    let data: UnsafeMutableRawPointer
    let byteCount: Int
    /// Size of the pooled buffer, at least `byteCount`.
    private let capacity: Int
    let memory: dnnl_memory_t
    /// Set when this storage reinterprets another's bytes under a different layout.
    private let base: Storage?

    init(layout: Layout, zeroed: Bool = false) {
        self.layout = layout
        base = nil
        byteCount = max(layout.byteCount, 4)
        (data, capacity) = BufferPool.shared.allocate(byteCount: byteCount)
        // Blocked layouts may carry channel padding that every kernel assumes to be zero.
        if zeroed || layout.hasPadding { memset(data, 0, byteCount) }
        var memory: dnnl_memory_t?
        var desc = layout.desc
        dnnlMust(dnnl_memory_create(&memory, &desc, Engine.shared.engine, data), "dnnl_memory_create")
        self.memory = memory!
    }

    /// The same bytes under another layout of equal size (plain OIHW read as plain GOIHW, a
    /// plain tensor reshaped). The view keeps `base` alive.
    init(aliasing base: Storage, as layout: Layout) {
        precondition(layout.byteCount <= base.byteCount, "alias larger than its base")
        self.layout = layout
        self.base = base
        data = base.data
        byteCount = base.byteCount
        capacity = base.capacity
        var memory: dnnl_memory_t?
        var desc = layout.desc
        dnnlMust(dnnl_memory_create(&memory, &desc, Engine.shared.engine, data), "dnnl_memory_create")
        self.memory = memory!
    }

    deinit {
        dnnl_memory_destroy(memory)
        if base == nil { BufferPool.shared.release(data, capacity: capacity) }
    }

    /// Number of floats in the physical buffer, padding included.
    var floatCount: Int { byteCount / 4 }

    var floats: UnsafeMutablePointer<Float> { data.assumingMemoryBound(to: Float.self) }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: floats, count: floatCount) }

    /// This storage in `target` layout: itself when the layouts agree, else a reordered copy.
    func reordered(to target: Layout) -> Storage {
        if layout == target { return self }
        let out = Storage(layout: target)
        Reorder.run(from: self, to: out)
        return out
    }

    /// A copy in the same layout.
    func copy() -> Storage {
        let out = Storage(layout: layout)
        memcpy(out.data, data, byteCount)
        return out
    }
}
