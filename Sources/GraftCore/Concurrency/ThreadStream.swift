import CDNNL
import Foundation

/// One oneDNN stream per thread that executes primitives.
///
/// A stream is the queue a primitive is submitted to; oneDNN does not promise that one stream can
/// take submissions from several threads at once, and on the CPU a stream costs next to nothing,
/// so each thread gets its own, destroyed with the thread.
enum ThreadStream {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { stream in
            if let stream { dnnl_stream_destroy(OpaquePointer(stream)) }
        }
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()

    /// The calling thread's stream on `engine`, created on first use.
    static func current(on engine: dnnl_engine_t) -> dnnl_stream_t {
        if let existing = pthread_getspecific(key) { return OpaquePointer(existing) }
        // A thread's first op: OpenMP's thread count is per thread, so it takes Graft's setting here.
        Engine.adoptThreadCount()
        var stream: dnnl_stream_t?
        dnnlMust(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        pthread_setspecific(key, UnsafeRawPointer(stream!))
        return stream!
    }
}
