import GraftCore

extension GradientSynchronizer {
    /// Backward from `loss` (seeded with `seed`, 1 when nil), handing each of `parameters` to
    /// this synchronizer as soon as its gradient is final, then waiting until every gradient holds
    /// its synchronized value.
    public func backward(_ loss: Tensor, seed: Tensor? = nil, parameters: ParametersByTensor) throws {
        loss.backward(gradient: seed) { tensor in
            if let parameter = parameters[tensor] { self.gradientReady(parameter) }
        }
        try synchronizeGradients()
    }
}

/// The optimizer's parameters looked up by their tensor, for backward's per-tensor callback.
public struct ParametersByTensor {
    private let byTensor: [ObjectIdentifier: NamedParameter]

    public init(_ parameters: [NamedParameter]) {
        byTensor = Dictionary(parameters.map { (ObjectIdentifier($0.tensor), $0) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(tensor: Tensor) -> NamedParameter? { byTensor[ObjectIdentifier(tensor)] }
}
