import Foundation
import GraftCore

/// Whether convolution -> BatchNorm -> [+ residual] -> activation chains that need no gradient
/// run as one fused primitive with the BatchNorm folded into the convolution's weights (and an
/// inverted residual's 1x1 and depthwise convolutions as one), and whether BatchNorm and its
/// activation run as one op (Graft's kernel) where they train.
///
/// Each forward pass says whether it fuses (`ForwardContext.fusion`); this is the default of new
/// contexts: on, unless `GRAFT_FUSION=0` (to compare, or to rule fusion out). Read once, never
/// changed, so passes on other threads cannot see it move.
public enum LayerFusion {
    public static let isEnabledByDefault = ProcessInfo.processInfo.environment["GRAFT_FUSION"] != "0"
}

extension Conv2d {
    /// This convolution, then `norm` (if any), then `residual` added, then `activation`.
    ///
    /// Where nothing needs a gradient and `norm` uses its running statistics (inference, frozen
    /// layers), the chain is one oneDNN primitive: `norm` folded into the weights and bias
    /// (y = s * (conv(x) + b - mean) + beta with s = gamma / sqrt(var + eps)), the residual and the
    /// activation as post-ops. Otherwise the convolution runs on its own and BatchNorm, the residual
    /// and the activation as one op, each recording its backward.
    public func forward(_ x: Tensor, normalizedBy norm: BatchNorm2d?, adding residual: Tensor? = nil,
                        activation: Activation? = nil, context: ForwardContext) -> Tensor {
        context.applyingGradientSetting { chain(x, norm, residual, activation, context) }
    }

    private func chain(_ x: Tensor, _ norm: BatchNorm2d?, _ residual: Tensor?, _ activation: Activation?,
                       _ context: ForwardContext) -> Tensor {
        if context.fusion, canFuse(x, norm, residual, context) {
            let (w, b) = foldedParameters(norm)
            noteFolding(w, b, norm)
            return conv2dInference(x, weight: w, bias: b, stride: stride, padding: padding, dilation: dilation,
                                   groups: groups, adding: residual, activation: activation, winograd: context.winograd)
        }
        // y is this function's own intermediate, and neither a convolution nor BatchNorm keeps its
        // output for backward: the addition and the activation may overwrite it.
        var y = forward(x, context: context)
        if let norm {
            if context.fusion { return norm.forward(y, adding: residual, activation: activation, context: context) }
            y = norm(y, context: context)
        }
        return addingResidualThenActivating(y, residual, activation)
    }

    private func canFuse(_ x: Tensor, _ norm: BatchNorm2d?, _ residual: Tensor?, _ context: ForwardContext) -> Bool {
        if let norm, context.training && !norm.usesRunningStatistics { return false }
        guard context.isRecordingGradients else { return true }
        let inputs = [x, residual].compactMap { $0 } + parameters + (norm?.parameters ?? [])
        return !inputs.contains(where: \.requiresGrad)
    }

    /// The weights and bias with `norm` folded in, recomputed only when one of the tensors they
    /// come from has changed since.
    private func foldedParameters(_ norm: BatchNorm2d?) -> (Tensor, Tensor?) {
        guard let norm else { return (weight, bias) }
        let sources = [weight, bias, norm.weight, norm.bias, norm.runningMean, norm.runningVar].compactMap { $0 }
        let versions = sources.map(\.version)
        if let cache = FoldCache.lock.withLock({ foldCache }), cache.sources.elementsEqual(sources, by: ===),
           cache.versions == versions {
            return (cache.weight, cache.bias)
        }
        // Folding runs outside the lock; two threads that fold at once store equal results.
        let (w, b) = fold(norm)
        FoldCache.lock.withLock { foldCache = FoldCache(sources: sources, versions: versions, weight: w, bias: b) }
        return (w, b)
    }

    /// Tells a trace being captured where folded weights came from.
    private func noteFolding(_ weight: Tensor, _ bias: Tensor?, _ norm: BatchNorm2d?) {
        guard let norm, InferenceTrace.isCapturing else { return }
        InferenceTrace.noteFolding(weight: weight, bias: bias, epsilon: norm.epsilon, convolutionWeight: self.weight,
                                   convolutionBias: self.bias, scale: norm.weight, shift: norm.bias,
                                   runningMean: norm.runningMean, runningVariance: norm.runningVar)
    }

    private func fold(_ norm: BatchNorm2d) -> (Tensor, Tensor) {
        let outChannels = weight.shape[0]
        let perChannel = weight.count / outChannels
        let mean = norm.runningMean.values, variance = norm.runningVar.values
        let gamma = norm.weight?.values ?? [Float](repeating: 1, count: outChannels)
        let beta = norm.bias?.values ?? [Float](repeating: 0, count: outChannels)
        let convBias = bias?.values ?? [Float](repeating: 0, count: outChannels)
        var w = weight.values
        var b = [Float](repeating: 0, count: outChannels)
        for o in 0..<outChannels {
            let scale = Double(gamma[o]) / (Double(variance[o]) + Double(norm.epsilon)).squareRoot()
            for i in o * perChannel ..< (o + 1) * perChannel { w[i] = Float(Double(w[i]) * scale) }
            b[o] = Float((Double(convBias[o]) - Double(mean[o])) * scale + Double(beta[o]))
        }
        return (Tensor(shape: weight.shape, values: w), Tensor(shape: [outChannels], values: b))
    }
}

/// Folded weights of a convolution and the identities and versions of what they were folded from.
struct FoldCache {
    /// Guards every convolution's `foldCache`: inference threads may share a model's layers.
    static let lock = NSLock()

    let sources: [Tensor]
    let versions: [Int]
    let weight: Tensor
    let bias: Tensor?
}

extension Conv2d {
    /// This 1x1 convolution with `norm` and `activation`, then `depthwise` (3x3) with its own norm
    /// and activation: an inverted residual's expansion and depthwise stages.
    ///
    /// Where both can be fused (see `forward(_:normalizedBy:adding:activation:context:)`), they run
    /// as one oneDNN primitive and the expanded tensor between them never reaches memory.
    public func forward(_ x: Tensor, normalizedBy norm: BatchNorm2d?, activation: Activation?,
                        thenDepthwise depthwise: Conv2d, normalizedBy depthwiseNorm: BatchNorm2d?,
                        activation depthwiseActivation: Activation?, context: ForwardContext) -> Tensor {
        context.applyingGradientSetting {
            chain(x, norm, activation, thenDepthwise: depthwise, depthwiseNorm, depthwiseActivation, context)
        }
    }

    private func chain(_ x: Tensor, _ norm: BatchNorm2d?, _ activation: Activation?, thenDepthwise depthwise: Conv2d,
                       _ depthwiseNorm: BatchNorm2d?, _ depthwiseActivation: Activation?, _ context: ForwardContext) -> Tensor {
        if context.fusion, canFuse(x, norm, nil, context), depthwise.canFuse(x, depthwiseNorm, nil, context),
           stride == (1, 1), groups == 1, depthwise.groups == depthwise.weight.shape[0],
           depthwise.stride.0 == depthwise.stride.1, depthwise.dilation == (1, 1) {
            let (w, b) = foldedParameters(norm), (dw, db) = depthwise.foldedParameters(depthwiseNorm)
            noteFolding(w, b, norm)
            depthwise.noteFolding(dw, db, depthwiseNorm)
            let follower = DepthwiseFollower(weight: dw, bias: db, stride: depthwise.stride.0, padding: depthwise.padding,
                                             activation: depthwiseActivation)
            if let y = pointwiseDepthwiseInference(x, weight: w, bias: b, padding: padding, activation: activation, then: follower) {
                return y
            }
        }
        let y = forward(x, normalizedBy: norm, activation: activation, context: context)
        return depthwise.forward(y, normalizedBy: depthwiseNorm, activation: depthwiseActivation, context: context)
    }
}
