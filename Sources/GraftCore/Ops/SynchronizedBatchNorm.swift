/// `batchNorm` in training mode over a batch that several processes hold a slice each of
/// (synchronized BatchNorm, PyTorch's SyncBatchNorm): the mean and variance are those of the
/// whole batch, summed over `sharing.group`, and backward sums the two per-channel sums the
/// input's gradient needs the same way. The result (output, running statistics, gradients)
/// is that of one process holding the whole batch, whatever the number of processes.
///
/// Every process of the group must run the same layers in the same order, forward and backward;
/// one whose slice is empty runs a stand-in image with `sharing.contributes` false. The scale and
/// shift gradients are this slice's part only: the gradient synchronizer sums them with the rest.
/// Arguments as in `batchNorm(_:scale:shift:runningMean:runningVar:training:momentum:epsilon:adding:activation:)`;
/// `x` is (N, C, H, W).
public func synchronizedBatchNorm(_ x: Tensor, scale: Tensor?, shift: Tensor?, runningMean: Tensor, runningVar: Tensor,
                                  momentum: Float = 0.1, epsilon: Float = 1e-5, adding residual: Tensor? = nil,
                                  activation: Activation? = nil, sharing: SharedBatchStatistics) -> Tensor {
    let bounds = activation?.clipBounds
    guard activation == nil || bounds != nil else {
        let y = synchronizedBatchNorm(x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar,
                                      momentum: momentum, epsilon: epsilon, sharing: sharing)
        return addingResidualThenActivating(y, residual, activation)
    }
    checkBatchNormArguments(x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar)
    precondition(x.shape.count == 4, "synchronizedBatchNorm needs an (N, C, H, W) input, not \(x.shape)")
    if let residual { precondition(residual.shape == x.shape, "batchNorm: residual \(residual.shape), input \(x.shape)") }
    let c = x.shape[1], spatial = x.shape[2] * x.shape[3]
    // Graft's kernel computes the sums that travel; it wants channel blocks.
    let src = x.storage.layout.channelBlock == nil ? x.blocked().storage : x.storage
    let kernel = BatchNormKernel(shape: x.shape, block: src.layout.channelBlock!, clip: bounds)
    let residualStorage = residual?.storage.reordered(to: src.layout)

    let local = sharing.contributes ? kernel.inputSums(src) : [Double](repeating: 0, count: 2 * kernel.paddedChannels)
    let total = sharing.group.sumOverGroup(local + [sharing.contributes ? Double(x.shape[0]) : 0])
    let wholeBatch = Int(total[total.count - 1])
    precondition(wholeBatch > 0, "synchronizedBatchNorm: no process of the group holds an image")
    let (mean, variance) = kernel.statistics(sums: Array(total.dropLast()), count: wholeBatch * spatial)
    updateRunningStats(runningMean, runningVar, mean, variance, momentum: momentum, count: wholeBatch * spatial)
    let affine = kernel.affine(mean: mean, variance: variance, epsilon: epsilon, scale: scale?.storage, shift: shift?.storage)
    let dst = Storage(layout: src.layout)
    kernel.forward(src, residual: residualStorage, affine, into: dst)

    let inputs = [x] + [scale, shift, residual].compactMap { $0 }
    let hasResidual = residual != nil, residualNeedsGradient = residual?.requiresGrad == true
    let op = "synchronizedBatchNorm" + (residual == nil ? "" : "+add") + (activation.map { "+\($0.rawValue)" } ?? "")
    let maskSource = residual != nil && bounds != nil ? dst : nil
    var wholeBatchKernel = kernel
    wholeBatchKernel.problem.batch = Int32(wholeBatch)
    let inputNeedsGradient = x.requiresGrad
    let result = record(op, output: dst, inputs: inputs) { dy in
        let dyBlocked = dy.reordered(to: src.layout)
        let sums = kernel.backwardSums(src, output: maskSource, dy: dyBlocked, affine)
        // Every process sums, whether or not it needs the input's gradient: they must all call.
        let wholeBatchSums = sharing.group.sumOverGroup(sums)
        let paramsNeedGradients = scale?.requiresGrad == true || shift?.requiresGrad == true
        let dScale = scale != nil && paramsNeedGradients ? Storage(layout: .plain([c])) : nil
        let dShift = scale != nil && paramsNeedGradients ? Storage(layout: .plain([c])) : nil
        // The scale and shift gradients of this slice, from its own sums ...
        let standIn = kernel.inputGradientCoefficients(sums: sums, mean: mean, variance: variance, epsilon: epsilon,
                                                       scale: scale?.storage, batchStatistics: false, dScale: dScale, dShift: dShift)
        // ... and the input's, which depends on every image of the batch through the statistics;
        // a stand-in's input is in none of them, so its gradient is the plain scaled one (zero).
        let coefficients = !sharing.contributes ? standIn : wholeBatchKernel.inputGradientCoefficients(
            sums: wholeBatchSums, mean: mean, variance: variance, epsilon: epsilon, scale: scale?.storage,
            batchStatistics: true, dScale: nil, dShift: nil)
        let (dx, dResidual) = kernel.inputAndResidualGradients(src, output: maskSource, dy: dyBlocked, affine, coefficients,
                                                               input: inputNeedsGradient, residual: residualNeedsGradient)
        AutodiffStats.shared.noteKernel("synchronizedBatchNorm.backward")
        return [dx] + (scale != nil ? [dScale, dShift] : []) + (hasResidual ? [dResidual] : [])
    }
    return tracedBatchNorm(result, x, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar,
                           training: true, epsilon: epsilon, adding: residual, activation: activation)
}
