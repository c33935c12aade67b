/// The file's bytes with a read position, for the C libraries (giflib, libtiff) that read
/// through callbacks rather than from a buffer. The bytes must outlive the reader.
final class MemoryReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Copies up to `count` bytes from the position on and moves past them; fewer at the end.
    func read(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        let n = max(0, min(count, bytes.count - offset))
        if n > 0 { destination.copyMemory(from: bytes.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }

    /// As a context pointer for a C callback, which gets it back with `from(_:)`.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ pointer: UnsafeMutableRawPointer) -> MemoryReader {
        Unmanaged<MemoryReader>.fromOpaque(pointer).takeUnretainedValue()
    }
}
