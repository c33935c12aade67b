/// What one traced op computed, with its attributes. Value ids name the op's inputs (weights,
/// residuals, statistics); `TraceNode.inputs` lists them all, data input first.
public enum TraceOp: Sendable, Equatable {
    /// A 2-D convolution of the node's first input; `postOps` ran on its output inside the same
    /// primitive, in order (a residual added, an activation, a depthwise convolution).
    case convolution(Convolution, postOps: [PostOp])
    /// x (N, in) times weight (out, in) transposed, plus bias.
    case linear(weight: TraceValueID, bias: TraceValueID?)
    /// a (m, k) times b (k, n).
    case matmul
    case pooling(Pooling)
    /// (N, C, H, W) -> (N, C), the mean over each channel's image.
    case globalAveragePool
    /// a + b; b may have size 1 where a does not (broadcast).
    case add
    /// a * b, broadcast as `add`.
    case multiply
    /// The inputs joined along `axis`.
    case concat(axis: Int)
    /// The same elements in row-major order under `shape`.
    case reshape(shape: [Int])
    case activation(Activation)
    /// BatchNorm on its own (not folded into a convolution), then `postOps` (a residual added, an
    /// activation) in the same kernel.
    case batchNorm(BatchNormalization, postOps: [PostOp])
    /// Layer normalization over the channels (axis 1) of each pixel of (N, C, H, W), then the
    /// (C) scale and shift of the node's second and third inputs.
    case channelLayerNorm(epsilon: Float)
    /// The mean of all elements, shape [1].
    case mean
    /// Inverted dropout, traced only in training passes: in inference dropout is the identity
    /// and leaves no node.
    case dropout(probability: Float)
    /// Stochastic depth by sample, traced only in training passes (in inference it is the
    /// identity and leaves no node, as dropout).
    case stochasticDepth(probability: Float)

    /// Work an op applied to its own output before writing it.
    public enum PostOp: Sendable, Equatable {
        /// Adds this value (of the output's shape).
        case add(TraceValueID)
        case activation(Activation)
        /// A depthwise convolution of the result (oneDNN's depthwise post-op): an inverted
        /// residual's 1x1 and depthwise convolutions as one primitive.
        case depthwise(Convolution)
    }

    /// A convolution's geometry and parameters, in PyTorch's terms.
    public struct Convolution: Sendable, Equatable {
        public let inChannels: Int
        public let outChannels: Int
        public let kernel: SpatialSize
        public let stride: SpatialSize
        /// 1 means no gaps, as in PyTorch.
        public let dilation: SpatialSize
        /// The padding as it ran, TensorFlow's asymmetric "SAME" resolved for the input size.
        public let padding: PaddingAmounts
        public let groups: Int
        /// (out, in / groups, kH, kW); with a BatchNorm folded in when `TraceValue.folding` says so.
        public let weight: TraceValueID
        public let bias: TraceValueID?
    }

    public struct Pooling: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case max
            /// With `countsPadding`, windows at the border divide by their full size (PyTorch's default).
            case average(countsPadding: Bool)
        }

        public let kind: Kind
        public let kernel: SpatialSize
        public let stride: SpatialSize
        public let padding: PaddingAmounts

        public init(kind: Kind, kernel: SpatialSize, stride: SpatialSize, padding: PaddingAmounts) {
            self.kind = kind
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
        }
    }

    public struct BatchNormalization: Sendable, Equatable {
        public let epsilon: Float
        /// true in a training pass: the batch's statistics normalized (and `mean` and `variance`
        /// were updated from them); false: `mean` and `variance` did.
        public let usesBatchStatistics: Bool
        public let scale: TraceValueID?
        public let shift: TraceValueID?
        public let mean: TraceValueID
        public let variance: TraceValueID
    }
}

/// A height and a width (a kernel, a stride, a dilation).
public struct SpatialSize: Sendable, Equatable, CustomStringConvertible {
    public let height: Int
    public let width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public var description: String { "\(height)x\(width)" }
}

/// Zero padding on each side of the image, in pixels.
public struct PaddingAmounts: Sendable, Equatable {
    public let top: Int
    public let bottom: Int
    public let left: Int
    public let right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    /// The amounts as the ops compute them (`Padding.amounts`, `ConvGeometry.pad`).
    init(_ pad: (top: Int, bottom: Int, left: Int, right: Int)) {
        self.init(top: pad.top, bottom: pad.bottom, left: pad.left, right: pad.right)
    }

    public var isSymmetric: Bool { top == bottom && left == right }
}
