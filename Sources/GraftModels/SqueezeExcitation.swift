import GraftCore
import GraftNN

/// torchvision's SqueezeExcitation: the image's mean per channel, a 1x1 convolution down to
/// `squeezeChannels` (`fc1`) with `activation`, a 1x1 convolution back up (`fc2`) with `gate`,
/// and the input scaled channel by channel with the result.
///
/// EfficientNet uses SiLU and sigmoid, MobileNetV3 ReLU and hard-sigmoid.
final class SqueezeExcitation: Module {
    private let fc1: Conv2d, fc2: Conv2d
    private let activation: Activation, gate: Activation

    init(channels: Int, squeezeChannels: Int, activation: Activation, gate: Activation, generator g: inout SeededGenerator) {
        fc1 = Conv2d(inChannels: channels, outChannels: squeezeChannels, kernelSize: (1, 1), generator: &g)
        fc2 = Conv2d(inChannels: squeezeChannels, outChannels: channels, kernelSize: (1, 1), generator: &g)
        self.activation = activation
        self.gate = gate
        super.init()
        registerChild("fc1", fc1)
        registerChild("fc2", fc2)
    }

    override func forward(_ x: Tensor, context: ForwardContext) -> Tensor {
        // (N, C, 1, 1): the pooling keeps the dimensions the 1x1 convolutions and the broadcast
        // multiplication want.
        let pooled = avgPool2d(x, kernel: (x.shape[2], x.shape[3]))
        let squeezed = fc1.forward(pooled, normalizedBy: nil, activation: activation, context: context)
        let scale = fc2.forward(squeezed, normalizedBy: nil, activation: gate, context: context)
        return multiply(x, scale)
    }
}
