import Foundation
import GraftOptim

/// The optimizer of each stage, with PyTorch's semantics (`torch.optim.Adam`, `AdamW`, `SGD`).
public enum OptimizerKind: String, CaseIterable, Sendable {
    /// Adam; a weight decay is an L2 term added to the gradient (the default, without one).
    case adam
    /// Adam with decoupled weight decay (Loshchilov & Hutter): each step first shrinks every
    /// weight by learning rate times weight decay.
    case adamw
    /// Stochastic gradient descent, with optional momentum; a weight decay is an L2 term.
    case sgd

    var displayName: String {
        switch self {
        case .adam: return "Adam"
        case .adamw: return "AdamW"
        case .sgd: return "SGD"
        }
    }
}

extension TrainingOptions {
    /// The weight decay in force: `weightDecay`, else PyTorch's default (0.01 for AdamW, 0 otherwise).
    public var resolvedWeightDecay: Float { weightDecay ?? (optimizer == .adamw ? 1e-2 : 0) }

    /// The optimizer of a stage over `groups` at `learningRate`.
    public func makeOptimizer(groups: [ParameterGroup], learningRate: Float) -> any Optimizer {
        switch optimizer {
        case .adam:
            return Adam(groups: groups, learningRate: learningRate, weightDecay: resolvedWeightDecay)
        case .adamw:
            return AdamW(groups: groups, learningRate: learningRate, weightDecay: resolvedWeightDecay)
        case .sgd:
            return SGD(groups: groups, learningRate: learningRate, momentum: momentum, weightDecay: resolvedWeightDecay)
        }
    }

    /// The optimizer as the report names it: "Adam", "SGD with momentum 0.9, weight decay 0.0001".
    var optimizerDescription: String {
        var parts: [String] = []
        if optimizer == .sgd && momentum > 0 { parts.append("momentum \(String(format: "%g", Double(momentum)))") }
        if resolvedWeightDecay > 0 { parts.append("weight decay \(String(format: "%g", Double(resolvedWeightDecay)))") }
        return optimizer.displayName + (parts.isEmpty ? "" : " with " + parts.joined(separator: ", "))
    }
}
