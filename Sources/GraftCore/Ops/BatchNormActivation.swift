import Foundation
import CGraftKernels

extension Activation {
    /// (lower, upper) when the activation is min(max(v, lower), upper), else nil.
    var clipBounds: (lower: Float, upper: Float)? {
        switch self {
        case .relu: return (0, .infinity)
        case .relu6: return (0, 6)
        case .sigmoid, .silu, .hardSwish, .hardSigmoid, .gelu: return nil
        }
    }
}

/// `batchNorm`, then `residual` added (if any), then `activation`, as one op.
///
/// When `x` is channel-blocked (nChw8c, nChw16c) and the activation is none, ReLU or ReLU6, this
/// runs Graft's own kernel (CGraftKernels), because oneDNN 2.6 fuses only ReLU into its BatchNorm
/// and a separate addition and ReLU6 read and write the whole tensor again in every training step:
/// - forward, one pass for the batch statistics and one that writes the activated output;
/// - backward, one pass for the sums and one for the input gradient (and the residual's). The
///   activation's mask comes from the inputs (the same expression as the forward's), so its
///   output need not be kept.
///
/// Otherwise the ops run one after the other. Arguments as in `batchNorm`; `residual` has x's shape.
public func batchNorm(_ x: Tensor, scale: Tensor?, shift: Tensor?, runningMean: Tensor, runningVar: Tensor,
                      training: Bool, momentum: Float = 0.1, epsilon: Float = 1e-5, adding residual: Tensor? = nil,
                      activation: Activation?) -> Tensor {
    let bounds = activation?.clipBounds
    guard let block = x.storage.layout.channelBlock, activation == nil || bounds != nil else {
        let y = batchNorm(x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar,
                          training: training, momentum: momentum, epsilon: epsilon)
        return addingResidualThenActivating(y, residual, activation)
    }
    checkBatchNormArguments(x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar)
    let c = x.shape[1]
    if let residual { precondition(residual.shape == x.shape, "batchNorm: residual \(residual.shape), input \(x.shape)") }
    let kernel = BatchNormKernel(shape: x.shape, block: block, clip: bounds)
    let src = x.storage
    let residualStorage = residual?.storage.reordered(to: src.layout)

    let mean: Storage, variance: Storage
    if training {
        (mean, variance) = kernel.statistics(src)
        updateRunningStats(runningMean, runningVar, mean, variance, momentum: momentum, count: x.count / c)
    } else {
        // Copies: the running statistics may move on before backward runs.
        mean = runningMean.storage.copy()
        variance = runningVar.storage.copy()
    }
    let affine = kernel.affine(mean: mean, variance: variance, epsilon: epsilon, scale: scale?.storage, shift: shift?.storage)
    let dst = Storage(layout: src.layout)
    kernel.forward(src, residual: residualStorage, affine, into: dst)

    let inputs = [x] + [scale, shift, residual].compactMap { $0 }
    // Flags rather than the tensors: the closure below must not keep the residual alive.
    let inputNeedsGradient = x.requiresGrad, hasResidual = residual != nil, residualNeedsGradient = residual?.requiresGrad == true
    let op = (residual == nil ? "batchNorm" : "batchNorm+add") + (activation.map { "+\($0.rawValue)" } ?? "")
    // With a residual, backward takes the activation's mask from the output, which the next layer
    // keeps anyway (the residual may be a tensor nothing else keeps). Without an activation there
    // is no mask.
    let maskSource = residual != nil && bounds != nil ? dst : nil
    let result = record(op, output: dst, inputs: inputs) { dy in
        let paramsNeedGradients = scale?.requiresGrad == true || shift?.requiresGrad == true
        let dyBlocked = dy.reordered(to: src.layout)
        // With batch statistics the input's gradient needs the sums as well.
        let sums = training || paramsNeedGradients
            ? kernel.backwardSums(src, output: maskSource, dy: dyBlocked, affine) : nil
        let dScale = scale != nil && paramsNeedGradients ? Storage(layout: .plain([c])) : nil
        let dShift = scale != nil && paramsNeedGradients ? Storage(layout: .plain([c])) : nil
        let coefficients = kernel.inputGradientCoefficients(
            sums: sums, mean: mean, variance: variance, epsilon: epsilon, scale: scale?.storage,
            batchStatistics: training, dScale: dScale, dShift: dShift)
        let (dx, dResidual) = kernel.inputAndResidualGradients(src, output: maskSource, dy: dyBlocked, affine, coefficients,
                                                               input: inputNeedsGradient, residual: residualNeedsGradient)
        AutodiffStats.shared.noteKernel("batchNormActivation.backward")
        return [dx] + (scale != nil ? [dScale, dShift] : []) + (hasResidual ? [dResidual] : [])
    }
    return tracedBatchNorm(result, x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar,
                           training: training, epsilon: epsilon, adding: residual, activation: activation)
}

/// `result` of a batch-norm op recorded in the trace, the residual and the activation as post-ops.
func tracedBatchNorm(_ result: Tensor, _ x: Tensor, scale: Tensor?, shift: Tensor?, runningMean: Tensor, runningVar: Tensor,
                     training: Bool, epsilon: Float, adding residual: Tensor?, activation: Activation?) -> Tensor {
    traced(result, inputs: [x, scale, shift, runningMean, runningVar, residual]) { ids in
        .batchNorm(.traced(ids, epsilon: epsilon, training: training, scale: scale, shift: shift,
                           runningMean: runningMean, runningVar: runningVar),
                   postOps: [residual.map { .add(ids[$0]) }, activation.map(TraceOp.PostOp.activation)].compactMap { $0 })
    }
}

/// The C kernel's problem for one tensor shape, and its passes (each spread over oneDNN's
/// threads). The per-channel vectors are padded to whole channel blocks.
struct BatchNormKernel {
    /// The instruction set the kernel runs with; tests lower it to cover every variant. This and
    /// `streamingThresholdBytes` are the only mutable statics on an op's path: written by tests on
    /// their own thread between ops, never while other threads run ops, so they need no lock.
    nonisolated(unsafe) static var isa = graft_best_isa()
    /// Outputs larger than this are written past the caches: they would be evicted before the
    /// next op reads them, and a normal store first reads every line in. The last-level cache's
    /// size; tests lower it to cover both kinds of store.
    nonisolated(unsafe) static var streamingThresholdBytes: Int = {
        let reported = sysconf(Int32(_SC_LEVEL3_CACHE_SIZE))
        return reported > 0 ? reported : 32 << 20
    }()

    var problem: graft_bn_problem
    let paddedChannels: Int

    init(shape: [Int], block: Int, clip: (lower: Float, upper: Float)?) {
        problem = graft_bn_problem(
            batch: Int32(shape[0]), channels: Int32(shape[1]), block: Int32(block), spatial: shape[2] * shape[3],
            clips: clip == nil ? 0 : 1, lower: clip?.lower ?? 0, upper: clip?.upper ?? 0, streams: 0)
        paddedChannels = (shape[1] + block - 1) / block * block
        problem.streams = shape[0] * paddedChannels * shape[2] * shape[3] * 4 > Self.streamingThresholdBytes ? 1 : 0
    }

    private func perChannel() -> Storage { Storage(layout: .plain([paddedChannels])) }

    func statistics(_ x: Storage) -> (mean: Storage, variance: Storage) {
        let mean = perChannel(), variance = perChannel()
        withUnsafePointer(to: problem) { graft_bn_statistics($0, Self.isa, x.floats, mean.floats, variance.floats) }
        return (mean, variance)
    }

    /// Per padded channel the sum of x, then the sum of its squares.
    func inputSums(_ x: Storage) -> [Double] {
        var sums = [Double](repeating: 0, count: 2 * paddedChannels)
        withUnsafePointer(to: problem) { graft_bn_input_sums($0, Self.isa, x.floats, &sums) }
        return sums
    }

    /// The mean and biased variance of `count` values per channel whose sums are `sums` (as
    /// `inputSums` returns them, added up over any number of slices).
    func statistics(sums: [Double], count: Int) -> (mean: Storage, variance: Storage) {
        let mean = perChannel(), variance = perChannel()
        withUnsafePointer(to: problem) { graft_bn_statistics_from_sums($0, sums, Double(count), mean.floats, variance.floats) }
        return (mean, variance)
    }

    func affine(mean: Storage, variance: Storage, epsilon: Float, scale: Storage?, shift: Storage?) -> NormalizingAffine {
        let affine = NormalizingAffine(a: perChannel(), b: perChannel())
        withUnsafePointer(to: problem) {
            graft_bn_affine($0, mean.floats, variance.floats, epsilon, scale?.floats, shift?.floats,
                            affine.a.floats, affine.b.floats)
        }
        return affine
    }

    func forward(_ x: Storage, residual: Storage?, _ affine: NormalizingAffine, into y: Storage) {
        withUnsafePointer(to: problem) {
            graft_bn_forward($0, Self.isa, x.floats, residual?.floats, affine.a.floats, affine.b.floats, y.floats)
        }
    }

    /// Per padded channel the sum of the masked output gradient, then the sum of it times x.
    /// `output`: where the activation's mask comes from when the forward pass added a residual.
    func backwardSums(_ x: Storage, output: Storage?, dy: Storage, _ affine: NormalizingAffine) -> [Double] {
        var sums = [Double](repeating: 0, count: 2 * paddedChannels)
        withUnsafePointer(to: problem) {
            graft_bn_backward_sums($0, Self.isa, x.floats, output?.floats, dy.floats, affine.a.floats, affine.b.floats,
                                   &sums)
        }
        return sums
    }

    /// Also writes the scale and shift gradients into `dScale` and `dShift` when given.
    func inputGradientCoefficients(sums: [Double]?, mean: Storage, variance: Storage, epsilon: Float, scale: Storage?,
                                   batchStatistics: Bool, dScale: Storage?, dShift: Storage?) -> InputGradientCoefficients {
        let k = InputGradientCoefficients(gradient: perChannel(), input: perChannel(), constant: perChannel())
        withUnsafePointer(to: problem) { p in
            graft_bn_backward_finish(p, sums, mean.floats, variance.floats, epsilon, scale?.floats, batchStatistics ? 1 : 0,
                                     dScale?.floats, dShift?.floats, k.gradient.floats, k.input.floats, k.constant.floats)
        }
        return k
    }

    /// The input's gradient and the residual's, each only when asked for. Without an activation
    /// the residual's gradient is the output's; with one, the kernel writes it beside the input's.
    func inputAndResidualGradients(_ x: Storage, output: Storage?, dy: Storage, _ affine: NormalizingAffine,
                                   _ k: InputGradientCoefficients, input: Bool, residual: Bool) -> (Storage?, Storage?) {
        let dResidual = !residual ? nil : output == nil ? dy : Storage(layout: x.layout)
        guard input || (output != nil && residual) else { return (nil, dResidual) }
        let dx = Storage(layout: x.layout)
        inputGradient(x, output: output, dy: dy, affine, k, into: dx, residualGradient: output == nil ? nil : dResidual)
        return (input ? dx : nil, dResidual)
    }

    /// Also writes the residual's gradient into `residualGradient` when given (a residual with an
    /// activation).
    func inputGradient(_ x: Storage, output: Storage?, dy: Storage, _ affine: NormalizingAffine,
                       _ k: InputGradientCoefficients, into dx: Storage, residualGradient: Storage?) {
        var coefficients = graft_bn_data_coefficients(gradient: k.gradient.floats, input: k.input.floats,
                                                      constant: k.constant.floats)
        withUnsafePointer(to: problem) {
            graft_bn_backward_data($0, Self.isa, x.floats, output?.floats, dy.floats, affine.a.floats, affine.b.floats,
                                   &coefficients, dx.floats, residualGradient?.floats)
        }
    }
}

/// Per padded channel a and b such that the normalized input is x * a + b.
struct NormalizingAffine {
    let a: Storage
    let b: Storage
}

/// Per padded channel: the input gradient is gradient * dz + input * x + constant.
struct InputGradientCoefficients {
    let gradient: Storage
    let input: Storage
    let constant: Storage
}
