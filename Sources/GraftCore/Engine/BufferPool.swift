import Foundation

/// Keeps freed tensor buffers for reuse by the next tensor of the same size.
///
/// A training step allocates the same sizes every time; glibc serves anything over 32 MB with a
/// fresh mmap, and touching fresh pages costs more than many of the ops themselves. Reusing
/// buffers makes a warm step allocate nothing new.
final class BufferPool {
    static let shared = BufferPool()

    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private var pooledBytes = 0
    private let lock = NSLock()
    /// Beyond this many idle bytes, freed buffers go back to the system.
    var capacity: Int = {
        if let mb = ProcessInfo.processInfo.environment["GRAFT_POOL_MB"].flatMap(Int.init) { return mb << 20 }
        return 4 << 30
    }()

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        lock.lock()
        if let reused = free[byteCount]?.popLast() {
            pooledBytes -= byteCount
            lock.unlock()
            return reused
        }
        lock.unlock()
        var raw: UnsafeMutableRawPointer?
        // 64-byte alignment suits AVX-512 loads and oneDNN's own expectations.
        guard posix_memalign(&raw, 64, byteCount) == 0, let raw else {
            fatalError("out of memory allocating \(byteCount) bytes for a tensor")
        }
        return raw
    }

    func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        lock.lock()
        if pooledBytes + byteCount <= capacity {
            free[byteCount, default: []].append(pointer)
            pooledBytes += byteCount
            lock.unlock()
        } else {
            lock.unlock()
            Foundation.free(pointer)
        }
    }

    /// Returns every idle buffer to the system.
    func drain() {
        lock.lock()
        defer { lock.unlock() }
        for pointers in free.values { for p in pointers { Foundation.free(p) } }
        free = [:]
        pooledBytes = 0
    }
}
