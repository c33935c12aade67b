import GraftCore

/// Batch normalization with PyTorch's names: `weight`, `bias` (the affine scale and shift) and
/// the buffers `running_mean`, `running_var`.
///
/// In a training forward pass it normalizes with batch statistics and updates the running ones,
/// unless `usesRunningStatistics` is set: then it behaves as in inference (the way Keras' fine-tuning
/// guide keeps BatchNorm when the layers around it are unfrozen) while scale and shift still train.
public final class BatchNorm2d: Module {
    public let weight: Tensor?
    public let bias: Tensor?
    public let runningMean: Tensor
    public let runningVar: Tensor
    public let epsilon: Float
    public let momentum: Float
    public var usesRunningStatistics = false

    public init(features: Int, epsilon: Float = 1e-5, momentum: Float = 0.1, affine: Bool = true) {
        weight = affine ? Tensor.ones([features]) : nil
        bias = affine ? Tensor.zeros([features]) : nil
        runningMean = Tensor.zeros([features])
        runningVar = Tensor.ones([features])
        self.epsilon = epsilon
        self.momentum = momentum
        super.init()
        if let weight, let bias {
            registerParameter("weight", weight)
            registerParameter("bias", bias)
        }
        registerBuffer("running_mean", runningMean)
        registerBuffer("running_var", runningVar)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        if let sharing = sharing(in: context) {
            return synchronizedBatchNorm(x, scale: weight, shift: bias, runningMean: runningMean, runningVar: runningVar,
                                         momentum: momentum, epsilon: epsilon, sharing: sharing)
        }
        return batchNorm(x, scale: weight, shift: bias, runningMean: runningMean, runningVar: runningVar,
                         training: context.training && !usesRunningStatistics, momentum: momentum, epsilon: epsilon)
    }

    /// This layer, then `residual` added, then `activation`, as one op where Graft has a kernel for
    /// it (see `batchNorm(_:scale:shift:runningMean:runningVar:training:momentum:epsilon:adding:activation:)`).
    public func forward(_ x: Tensor, adding residual: Tensor? = nil, activation: Activation?,
                        context: ForwardContext) -> Tensor {
        if let sharing = sharing(in: context) {
            return synchronizedBatchNorm(x, scale: weight, shift: bias, runningMean: runningMean, runningVar: runningVar,
                                         momentum: momentum, epsilon: epsilon, adding: residual, activation: activation,
                                         sharing: sharing)
        }
        return batchNorm(x, scale: weight, shift: bias, runningMean: runningMean, runningVar: runningVar,
                         training: context.training && !usesRunningStatistics, momentum: momentum, epsilon: epsilon,
                         adding: residual, activation: activation)
    }

    /// The group whose statistics this layer normalizes with in `context`: only when it uses batch statistics.
    private func sharing(in context: ForwardContext) -> SharedBatchStatistics? {
        context.training && !usesRunningStatistics ? context.sharedBatchStatistics : nil
    }
}
