/// `y + residual` (if any), then `activation` (if any), both written over `y`'s buffer where they
/// can: the tail of a conv -> BatchNorm -> [+ residual] -> activation chain run as separate ops.
///
/// `y` must be the caller's own fresh intermediate: nothing else reads it, and the op that made
/// it keeps no output for backward (a convolution, BatchNorm and an addition keep none).
public func addingResidualThenActivating(_ y: Tensor, _ residual: Tensor?, _ activation: Activation?) -> Tensor {
    let sum = residual.map { add(y, $0, reusingFirst: true) } ?? y
    return activation.map { GraftCore.activation(sum, $0, reusingInput: true) } ?? sum
}
