import CDNNL
import CGraftKernels
import Foundation

/// Winograd F(4x4, 3x3) for the stride-1 3x3 convolutions of inference (Graft's kernel,
/// CGraftKernels/winograd.c): 36 multiplications per 4x4 outputs and channel pair where a direct
/// convolution does 144, four times fewer, in exchange for the transforms.
///
/// oneDNN 2.6 offers Winograd only on AVX-512; its AVX2 direct convolution runs ResNet's 3x3
/// layers at about 80% of the cores' peak, which no direct kernel can pass by much. Measured
/// against that kernel on ResNet-50's four 3x3 shapes (64 channels at 56x56 to 512 at 7x7), the
/// Winograd kernel is 1.7-2.5 times faster at batch 1 and 16. Its rounding error is about three
/// times oneDNN's (emulated in benchmarks/winograd_points.py: the sum over channels happens in a
/// domain that the output transform scales by up to 8), about 1e-5 of the largest output per
/// layer, so it serves inference only: training's convolutions, and their gradients, stay direct.
///
/// Only where the CPU has AVX2 and oneDNN's inference kernels run on AVX2 too (on AVX-512 its
/// convolutions keep activations channels-last, or in blocks of 16; on a Zen 4 inference is held to
/// AVX2, see `InferenceKernels`), channels in whole blocks of 8, at least
/// `minimumChannels` of them, and an activation that is a clip (ReLU, ReLU6) or none.
///
/// On ResNet-50 (random weights, BatchNorm calibrated to each layer's statistics so that
/// activations keep their scale through the 53 layers) the logits differ from direct's by 2.7e-5
/// of the largest at its 224 px (direct float32 is 2.0e-5 off exact arithmetic there), and by
/// 8.1e-5 at 96 px, where that network amplifies rounding more (direct: 5.1e-5 off exact): both
/// within the 1e-4 under which it is the default (ResNet50WinogradTests). With Lavin's
/// interpolation points they were 4.0e-5 and 1.1e-4.
public enum WinogradConvolution {
    /// Whether inference passes use it where it applies, unless `GRAFT_WINOGRAD=0` (to compare,
    /// or to rule it out); a pass chooses for itself with `conv2dInference(winograd:)`.
    public static let isEnabledByDefault = ProcessInfo.processInfo.environment["GRAFT_WINOGRAD"] != "0"

    /// Narrower layers were not measured; their products over so few channels would hardly hide the
    /// cost of the transforms.
    static let minimumChannels = 64

    /// The kernel's description of `g`, or nil where it does not apply.
    static func problem(_ g: ConvGeometry, activation: Activation?) -> graft_winograd_problem? {
        guard g.kernelH == 3, g.kernelW == 3, g.stride == (1, 1), g.dilation == (1, 1), g.groups == 1,
              g.pad == (1, 1, 1, 1), Tensor.inferenceChannelBlock == 8,
              g.inChannels % 8 == 0, g.outChannels % 8 == 0,
              min(g.inChannels, g.outChannels) >= minimumChannels,
              activation == nil || activation?.clipBounds != nil else { return nil }
        var p = graft_winograd_problem(batch: Int32(g.batch), in_channels: Int32(g.inChannels), out_channels: Int32(g.outChannels),
                                       height: Int32(g.height), width: Int32(g.width))
        return graft_winograd_supports(&p, graft_best_isa()) != 0 ? p : nil
    }

    /// `conv2dInference`'s result computed by the Winograd kernel, in nChw8c, or nil where it does
    /// not apply.
    static func run(_ g: ConvGeometry, src: Storage, weight: Tensor, bias: Tensor?, residual: Storage?,
                    activation: Activation?) -> Storage? {
        guard var p = problem(g, activation: activation) else { return nil }
        let blocked = { (dims: [Int]) in Layout(tagged: dims, tag: dnnl_aBcd8b) }
        let transformed = WinogradWeights.shared.transformed(weight, problem: p)
        let input = src.reordered(to: blocked(g.srcDims))
        let added = residual?.reordered(to: blocked(g.dstDims))
        let biasValues = bias.map { $0.storage.reordered(to: .plain([g.outChannels])) }
        let clip = activation?.clipBounds
        let dst = Storage(layout: blocked(g.dstDims))
        graft_winograd_forward(&p, graft_best_isa(), input.floats, transformed.floats, biasValues?.floats, added?.floats,
                               clip == nil ? 0 : 1, clip?.lower ?? 0, clip?.upper ?? 0, dst.floats)
        return withExtendedLifetime((input, added, biasValues, transformed)) { dst }
    }
}

/// Weights in the Winograd domain, transformed once per weight tensor and version: a model's
/// folded weights stay the same tensor from one inference pass to the next (GraftNN's fold
/// cache), so every pass after the first reuses them.
final class WinogradWeights: @unchecked Sendable {
    static let shared = WinogradWeights()

    /// Transformed weights take 4x the floats of the 3x3 ones (ResNet-50's: 131 MB); past this the
    /// longest unused are dropped.
    static let capacityBytes = 1 << 30

    final class Transformed {
        let floats: UnsafeMutablePointer<Float>
        let count: Int
        init(count: Int) {
            self.count = count
            floats = .allocate(capacity: count)
        }
        deinit { floats.deallocate() }
    }

    private struct Entry {
        weak var weight: Tensor?
        let version: Int
        let channels: (Int32, Int32)
        let transformed: Transformed
        var lastUse: Int
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]
    private var uses = 0

    func transformed(_ weight: Tensor, problem: graft_winograd_problem) -> Transformed {
        var p = problem
        let key = ObjectIdentifier(weight), channels = (p.in_channels, p.out_channels)
        let found: Transformed? = lock.withLock {
            uses += 1
            guard var entry = entries[key], entry.weight === weight, entry.version == weight.version,
                  entry.channels == channels else { return nil }
            entry.lastUse = uses
            entries[key] = entry
            return entry.transformed
        }
        if let found { return found }
        // Transformed outside the lock; two threads that transform at once store equal results.
        let plain = weight.storage.reordered(to: .plain(weight.shape))
        let result = Transformed(count: Int(graft_winograd_weight_floats(&p)))
        graft_winograd_transform_weights(&p, plain.floats, result.floats)
        lock.withLock {
            entries[key] = Entry(weight: weight, version: weight.version, channels: channels, transformed: result, lastUse: uses)
            evict()
        }
        return result
    }

    /// Drops entries whose weight is gone, then the least recently used past the capacity.
    private func evict() {
        entries = entries.filter { $0.value.weight != nil }
        var bytes = entries.values.reduce(0) { $0 + $1.transformed.count * 4 }
        for (key, entry) in entries.sorted(by: { $0.value.lastUse < $1.value.lastUse }) where bytes > Self.capacityBytes {
            entries[key] = nil
            bytes -= entry.transformed.count * 4
        }
    }

    /// Forgets every transformed weight (tests that count allocations start from none).
    func removeAll() { lock.withLock { entries.removeAll() } }
}
