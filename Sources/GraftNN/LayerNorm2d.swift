import GraftCore

/// Layer normalization over the channels of each pixel of (N, C, H, W), with PyTorch's names:
/// `weight` and `bias` (C). torchvision's LayerNorm2d (ConvNeXt's stem, downsampling and head),
/// and the channels-last nn.LayerNorm of a ConvNeXt block, which normalizes the same numbers.
public final class LayerNorm2d: Module {
    public let weight: Tensor
    public let bias: Tensor
    public let epsilon: Float

    public init(channels: Int, epsilon: Float = 1e-6) {
        weight = Tensor.ones([channels])
        bias = Tensor.zeros([channels])
        self.epsilon = epsilon
        super.init()
        registerParameter("weight", weight)
        registerParameter("bias", bias)
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        channelLayerNorm(x, weight: weight, bias: bias, epsilon: epsilon)
    }
}
