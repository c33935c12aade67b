import Foundation

/// A value that several threads read and write, guarded by a lock: the process-wide caches and
/// counters on the inference path (primitives, statistics, weights in other layouts).
///
/// Work that takes long (creating a primitive, reordering weights) runs outside `withLock`; the
/// lock only guards looking up and storing the result.
package final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    package init(_ value: Value) { self.value = value }

    package func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
