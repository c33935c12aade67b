import CDNNL
import CGraftKernels
import Foundation

/// Which of oneDNN's convolution kernels inference runs on: on a CPU whose AVX-512 runs in two
/// 256-bit halves (AMD Zen 4), the AVX2 ones, on activations in nChw8c; elsewhere the best for the CPU.
///
/// On such a CPU an AVX-512 instruction does no more multiply-adds per cycle than AVX2, so
/// oneDNN's AVX-512 and AVX2 direct convolutions run ResNet-50 equally fast. But the AVX-512 ones
/// write channels-last outputs, on which Graft's own inference kernels do not apply: Winograd
/// (`WinogradConvolution`), residual fusion (oneDNN has only a reference kernel for a
/// channels-last residual) and width folding. Held to AVX2 they all do. Training keeps the
/// AVX-512 kernels: its backward convolutions gain nothing from Graft's kernels, and
/// EfficientNet-Lite0's full fine-tuning measured 5% slower held to AVX2. docs/performance.md
/// has the measurements.
///
/// `GRAFT_INFERENCE_AVX2=1` holds inference to AVX2 on any AVX-512 CPU, `=0` never; a user who
/// chose oneDNN's instruction set with `ONEDNN_MAX_CPU_ISA` (or `DNNL_MAX_CPU_ISA`) keeps it.
public enum InferenceKernels {
    public static let environmentVariable = "GRAFT_INFERENCE_AVX2"
    static let oneDNNVariables = ["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"]

    /// Whether inference convolutions write nChw8c on this CPU, where oneDNN's own choice would
    /// be another layout.
    public static let holdToAVX2 = holdsToAVX2(environment: ProcessInfo.processInfo.environment,
                                               cpuHasAVX512: Tensor.preferredChannelBlock == 16,
                                               avx512RunsInHalves: graft_avx512_runs_in_halves() != 0)

    static func holdsToAVX2(environment: [String: String], cpuHasAVX512: Bool, avx512RunsInHalves: Bool) -> Bool {
        guard cpuHasAVX512 else { return false }
        switch environment[environmentVariable] {
        case "1": return true
        case "0": return false
        default: return avx512RunsInHalves && !oneDNNVariables.contains { environment[$0] != nil }
        }
    }

    /// For `graft info`.
    public static var description: String {
        if holdToAVX2 { return "AVX2, activations in nChw8c (this CPU's AVX-512 runs in halves; \(environmentVariable)=0 for AVX-512)" }
        return "as for training"
    }
}

extension Tensor {
    /// The channel block of the activations inference convolutions write: 8 where they run on
    /// oneDNN's AVX2 kernels (see `InferenceKernels`), else `preferredChannelBlock`.
    public static var inferenceChannelBlock: Int { InferenceKernels.holdToAVX2 ? 8 : preferredChannelBlock }
}
