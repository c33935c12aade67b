import CDNNL
import Foundation

/// The one CPU engine every op runs on, and the process-wide settings of oneDNN.
///
/// oneDNN on CPU executes synchronously on the calling thread (with OpenMP inside). Ops may run on
/// several threads at once: primitives are created with a user-managed scratchpad (each execution
/// gets its own, see `Primitive`), each thread submits to a stream of its own, and the primitive
/// cache is locked. Two threads must still not run ops on the same tensors while one of them
/// writes them (an optimizer step during inference on the same model); `InferenceExecutor` gives a
/// model one owner for that reason.
public final class Engine {
    public static let shared = Engine()

    let engine: dnnl_engine_t

    private init() {
        var engine: dnnl_engine_t?
        dnnlMust(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        self.engine = engine!
    }

    /// The calling thread's stream.
    var stream: dnnl_stream_t { ThreadStream.current(on: engine) }

    private static let requestedThreadCount = Locked<Int?>(quotaThreadCount)

    /// Without `OMP_NUM_THREADS`, a cgroup CPU quota below the CPUs OpenMP would use (those of the
    /// affinity mask) sets the default: a container given 1.5 CPUs of an 8-core host runs 2 threads.
    private static var quotaThreadCount: Int? {
        guard ProcessInfo.processInfo.environment["OMP_NUM_THREADS"] == nil, let quota = CPUQuota.current,
              quota < Int(omp_get_max_threads()) else { return nil }
        return quota
    }

    /// The number of threads oneDNN's kernels use: `OMP_NUM_THREADS` when set, else the CPUs this
    /// process may use (its affinity mask, capped by a cgroup CPU quota).
    ///
    /// OpenMP keeps this setting per thread, so setting it here reaches the calling thread at once
    /// and every other thread that calls `adoptThreadCount()` before it runs ops (each thread does
    /// when it first runs one, and inference executors do for their worker thread).
    public static var threadCount: Int {
        get { requestedThreadCount.withLock { $0 } ?? Int(omp_get_max_threads()) }
        set {
            let count = max(1, newValue)
            requestedThreadCount.withLock { $0 = count }
            omp_set_num_threads(Int32(count))
        }
    }

    /// Applies a thread count set through `threadCount` on another thread to the calling one.
    public static func adoptThreadCount() {
        guard let count = requestedThreadCount.withLock({ $0 }), Int(omp_get_max_threads()) != count else { return }
        omp_set_num_threads(Int32(count))
    }

    /// The oneDNN library version, for example "2.6.3".
    public static var dnnlVersion: String {
        guard let v = dnnl_version()?.pointee else { return "unknown" }
        let hash = v.hash.map { String(cString: $0) } ?? ""
        return "\(v.major).\(v.minor).\(v.patch)" + (hash.isEmpty || hash == "N/A" ? "" : " (\(hash.prefix(8)))")
    }

    /// The instruction set oneDNN dispatches to on this CPU, as oneDNN names it.
    public static var detectedISA: String {
        switch dnnl_get_effective_cpu_isa() {
        case dnnl_cpu_isa_sse41: return "SSE4.1"
        case dnnl_cpu_isa_avx: return "AVX"
        case dnnl_cpu_isa_avx2: return "AVX2"
        case dnnl_cpu_isa_avx2_vnni: return "AVX2 with VNNI"
        case dnnl_cpu_isa_avx512_mic: return "AVX-512 (MIC)"
        case dnnl_cpu_isa_avx512_mic_4ops: return "AVX-512 (MIC 4ops)"
        case dnnl_cpu_isa_avx512_core: return "AVX-512"
        case dnnl_cpu_isa_avx512_core_vnni: return "AVX-512 with VNNI"
        case dnnl_cpu_isa_avx512_core_bf16: return "AVX-512 with BF16"
        case dnnl_cpu_isa_avx512_core_amx: return "AVX-512 with AMX"
        default: return "baseline (\(dnnl_get_effective_cpu_isa().rawValue))"
        }
    }
}
