import GraftCore

/// A 2-D convolution layer with PyTorch's parameter names and layout: `weight` (O, I/groups,
/// kH, kW) and optional `bias` (O).
public final class Conv2d: Module {
    public let weight: Tensor
    public let bias: Tensor?
    public let stride: (Int, Int)
    public let padding: Padding
    public let dilation: (Int, Int)
    public let groups: Int
    /// BatchNorm-folded weights for fused inference (see `forward(_:normalizedBy:...)`).
    var foldCache: FoldCache?

    public init(inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: Padding = .valid, dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                generator: inout SeededGenerator) {
        precondition(inChannels % groups == 0 && outChannels % groups == 0,
                     "Conv2d: \(inChannels) -> \(outChannels) channels do not split into \(groups) groups")
        let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
        // PyTorch's default: Kaiming-uniform with a = sqrt(5), which gives a bound of 1/sqrt(fan_in).
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Tensor.uniform([outChannels, inChannels / groups, kernelSize.0, kernelSize.1],
                                low: -bound, high: bound, generator: &generator)
        self.bias = bias ? Tensor.uniform([outChannels], low: -bound, high: bound, generator: &generator) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        super.init()
        registerParameter("weight", weight)
        if let b = self.bias { registerParameter("bias", b) }
    }

    public override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}
