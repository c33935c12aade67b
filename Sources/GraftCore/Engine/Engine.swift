import CDNNL
import Foundation

/// The one CPU engine and stream every op runs on, and the process-wide settings of oneDNN.
///
/// oneDNN on CPU executes synchronously on the calling thread (with OpenMP inside), so a single
/// stream is enough; callers must not run ops from several threads at once.
public final class Engine {
    public static let shared = Engine()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        var engine: dnnl_engine_t?
        dnnlMust(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        var stream: dnnl_stream_t?
        dnnlMust(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        self.engine = engine!
        self.stream = stream!
    }

    /// The number of threads oneDNN's kernels use: `OMP_NUM_THREADS` when set, else all cores.
    public static var threadCount: Int {
        get { Int(omp_get_max_threads()) }
        set { omp_set_num_threads(Int32(max(1, newValue))) }
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

    /// Blocks until every primitive submitted to the stream has finished.
    func wait() {
        dnnlMust(dnnl_stream_wait(stream), "dnnl_stream_wait")
    }
}
