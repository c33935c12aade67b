import GraftCore

/// An activation as a layer.
public final class ActivationLayer: Module {
    public let kind: Activation
    public init(_ kind: Activation) { self.kind = kind }
    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor { activation(x, kind) }
}

/// (N, C, H, W) -> (N, C), the mean over the image.
public final class GlobalAvgPool2d: Module {
    public override init() {}
    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor { globalAvgPool2d(x) }
}

public final class Flatten: Module {
    public override init() {}
    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor { flatten(x) }
}

/// Dropout that is active only in a training forward pass.
public final class Dropout: Module {
    public let probability: Float
    public init(_ probability: Float) { self.probability = probability }
    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        dropout(x, p: probability, training: context.training, generator: &context.randomness)
    }
}

/// Layers applied in order, named "0", "1", ... as in PyTorch's `nn.Sequential`.
public final class Sequential: Module {
    public init(_ layers: [Module]) {
        super.init()
        for (i, layer) in layers.enumerated() { registerChild(String(i), layer) }
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        children.reduce(x) { $1.module.forward($0, context: context) }
    }
}
