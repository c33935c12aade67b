import Foundation
import GraftCore

/// The activation of one value, in double precision.
func naiveActivation(_ kind: Activation, _ x: Double) -> Double {
    func relu6(_ v: Double) -> Double { min(max(v, 0), 6) }
    switch kind {
    case .relu: return max(x, 0)
    case .relu6: return relu6(x)
    case .sigmoid: return 1 / (1 + exp(-x))
    case .silu: return x / (1 + exp(-x))
    case .hardSwish: return x * relu6(x + 3) / 6
    case .hardSigmoid: return relu6(x + 3) / 6
    case .gelu: return x * (1 + erf(x / 2.0.squareRoot())) / 2
    }
}

func naiveActivation(_ kind: Activation, _ x: RefTensor) -> RefTensor {
    x.map { naiveActivation(kind, $0) }
}

/// Where the activation's derivative jumps: finite differences must keep away from these.
func kinks(of kind: Activation) -> [Float] {
    switch kind {
    case .relu: return [0]
    case .relu6: return [0, 6]
    case .sigmoid, .silu, .gelu: return []
    case .hardSwish, .hardSigmoid: return [-3, 3]
    }
}
