/// One variable of a network as Keras stores it, and the state tensor it becomes in Graft's
/// network: Keras names layers ("block1_conv1") and orders their variables (kernel, bias), keeps
/// kernels height-width-in-out and flattens feature maps channels last.
public struct KerasVariable: Sendable {
    /// How Keras lays the values out, relative to Graft's (torchvision's) layout.
    public enum Layout: Sendable, Equatable {
        /// The same order (biases, BatchNorm vectors).
        case same
        /// A convolution kernel: Keras (kH, kW, in, out), Graft (out, in, kH, kW).
        case convolutionKernel
        /// A depthwise convolution's kernel: Keras (kH, kW, channels, 1), Graft (channels, 1, kH, kW).
        case depthwiseKernel
        /// A dense kernel: Keras (in, out), Graft (out, in).
        case denseKernel
        /// A dense kernel after Flatten of a (channels, height, width) map: Keras flattens it as
        /// (height, width, channels).
        case denseKernelAfterFlatten(channels: Int, height: Int, width: Int)
    }

    /// Keras' layer name.
    public let layer: String
    /// The variable's name in its layer ("kernel", "bias", "gamma", "moving_variance", ...).
    public let role: String
    /// Its position among the layer's variables, the order Keras files keep.
    public let index: Int
    /// The state tensor it fills in Graft's network.
    public let name: String
    public let layout: Layout

    /// Its name in a checkpoint read from a Keras file (`KerasWeights`).
    public var kerasKey: String { "\(layer)/\(index)" }

    /// A convolution's kernel and, when it has one, its bias.
    static func convolution(_ layer: String, _ name: String, bias: Bool = true) -> [KerasVariable] {
        [KerasVariable(layer: layer, role: "kernel", index: 0, name: name + ".weight", layout: .convolutionKernel)]
            + (bias ? [KerasVariable(layer: layer, role: "bias", index: 1, name: name + ".bias", layout: .same)] : [])
    }

    /// A depthwise convolution's kernel (Keras' DepthwiseConv2D without a bias).
    static func depthwise(_ layer: String, _ name: String) -> [KerasVariable] {
        [KerasVariable(layer: layer, role: "depthwise_kernel", index: 0, name: name + ".weight", layout: .depthwiseKernel)]
    }

    /// A dense layer's kernel (laid out as `layout`) and bias.
    static func dense(_ layer: String, _ name: String, layout: Layout = .denseKernel) -> [KerasVariable] {
        [KerasVariable(layer: layer, role: "kernel", index: 0, name: name + ".weight", layout: layout),
         KerasVariable(layer: layer, role: "bias", index: 1, name: name + ".bias", layout: .same)]
    }

    /// BatchNormalization's four vectors in Keras' order.
    static func batchNorm(_ layer: String, _ name: String) -> [KerasVariable] {
        zip(["gamma", "beta", "moving_mean", "moving_variance"], ["weight", "bias", "running_mean", "running_var"])
            .enumerated().map { KerasVariable(layer: layer, role: $0.element.0, index: $0.offset, name: name + "." + $0.element.1, layout: .same) }
    }
}

/// A backbone built as Keras builds it, which can therefore load Keras' weight files.
public protocol KerasBuilt {
    /// Every state tensor of the network, as a Keras variable.
    var kerasVariables: [KerasVariable] { get }
    /// Keras' variables that Graft's build holds as constants (none by default).
    var kerasConstants: [KerasConstant] { get }
}
