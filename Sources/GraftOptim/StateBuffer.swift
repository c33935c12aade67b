import Foundation

/// A float buffer of optimizer state (a momentum or a moment estimate) for one parameter.
///
/// Raw, aligned memory rather than `[Float]`: the update loops then work on plain pointers, with
/// no copy-on-write or exclusivity checks in the way of vectorization.
final class StateBuffer {
    let count: Int
    let pointer: UnsafeMutablePointer<Float>

    /// A zero-filled buffer.
    init(count: Int) {
        self.count = count
        var raw: UnsafeMutableRawPointer?
        precondition(posix_memalign(&raw, 64, max(count, 1) * MemoryLayout<Float>.stride) == 0 && raw != nil,
                     "out of memory allocating optimizer state of \(count) floats")
        pointer = raw!.bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: count)
    }

    convenience init(copying values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { pointer.update(from: base, count: count) }
        }
    }

    convenience init(copying source: UnsafeBufferPointer<Float>) {
        self.init(count: source.count)
        if let base = source.baseAddress { pointer.update(from: base, count: count) }
    }

    deinit { free(pointer) }

    var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
