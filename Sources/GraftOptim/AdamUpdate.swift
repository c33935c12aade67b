import Foundation
import GraftCore

/// Adam's moment settings, shared by `Adam` and `AdamW`.
struct AdamSettings {
    var beta1: Float
    var beta2: Float
    var epsilon: Float

    static let names = ["beta1", "beta2", "epsilon"]

    init(beta1: Float, beta2: Float, epsilon: Float, optimizer: String) {
        precondition((0..<1).contains(beta1) && (0..<1).contains(beta2), "\(optimizer): betas must lie in [0, 1)")
        precondition(epsilon >= 0, "\(optimizer): negative epsilon \(epsilon)")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    init(saved: [String: Float]) {
        beta1 = saved["beta1"]!
        beta2 = saved["beta2"]!
        epsilon = saved["epsilon"]!
    }

    var saved: [String: Float] { ["beta1": beta1, "beta2": beta2, "epsilon": epsilon] }
}

extension GroupedParameters {
    /// One Adam step of every updatable parameter, as `torch.optim.Adam` / `AdamW` compute it.
    /// Decoupled weight decay shrinks the parameter by `lr * wd` (AdamW); otherwise `wd * p` is
    /// added to the gradient (Adam's L2 penalty).
    mutating func adamStep(_ settings: AdamSettings, decoupledWeightDecay: Bool) {
        forEachUpdatable { parameter, gradient, state, learningRate, weightDecay in
            state.step += 1
            // Scalars in Double, as PyTorch computes them in Python floats.
            let step = Double(state.step)
            let biasCorrection1 = 1 - pow(Double(settings.beta1), step)
            let biasCorrection2 = 1 - pow(Double(settings.beta2), step)
            let coefficients = AdamCoefficients(
                l2: decoupledWeightDecay ? 0 : weightDecay,
                shrink: decoupledWeightDecay ? Float(1 - Double(learningRate) * Double(weightDecay)) : 1,
                oneMinusBeta1: 1 - settings.beta1, beta2: settings.beta2, oneMinusBeta2: 1 - settings.beta2,
                stepSize: Float(Double(learningRate) / biasCorrection1),
                biasCorrection2Root: Float(biasCorrection2.squareRoot()), epsilon: settings.epsilon)
            parameter.withUnsafeMutableBuffer { p in
                gradient.withUnsafeBuffer { g in
                    guard let p = p.baseAddress, let g = g.baseAddress else { return }
                    adamUpdate(p, g, state.buffers[0].pointer, state.buffers[1].pointer,
                               count: parameter.count, coefficients)
                }
            }
        }
    }
}

/// The per-step scalars of one parameter's Adam update.
struct AdamCoefficients {
    var l2: Float
    var shrink: Float
    var oneMinusBeta1: Float
    var beta2: Float
    var oneMinusBeta2: Float
    var stepSize: Float
    var biasCorrection2Root: Float
    var epsilon: Float
}

/// The element-wise part of Adam: one pass over parameter, gradient and both moments.
/// A multiplication by `shrink == 1` or an addition of `0 * p` is exact, so Adam and AdamW share
/// this loop without changing each other's results.
private func adamUpdate(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                        _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                        count: Int, _ c: AdamCoefficients) {
    let l2 = c.l2, shrink = c.shrink, oneMinusBeta1 = c.oneMinusBeta1, beta2 = c.beta2
    let oneMinusBeta2 = c.oneMinusBeta2, stepSize = c.stepSize, root = c.biasCorrection2Root, epsilon = c.epsilon
    for i in 0..<count {
        let d = g[i] + l2 * p[i]
        // PyTorch's `exp_avg.lerp_(d, 1 - beta1)`.
        let mi = m[i] + oneMinusBeta1 * (d - m[i])
        let vi = v[i] * beta2 + oneMinusBeta2 * d * d
        m[i] = mi
        v[i] = vi
        // `vi` is never negative, so `abs` changes nothing, but it tells the optimizer so: a plain
        // `squareRoot()` compiles to a guarded `sqrtf` call (errno on negative input) on Linux,
        // and that branch keeps the loop from vectorizing.
        let denominator = abs(vi).squareRoot() / root + epsilon
        p[i] = p[i] * shrink - stepSize * (mi / denominator)
    }
}
