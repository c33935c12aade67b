import GraftCore

/// How the backbone's last feature map (N, C, h, w) becomes the head's input: Keras'
/// `pooling` argument of its applications, and its `Flatten` layer.
public enum HeadPooling: String, Codable, CaseIterable, Sendable {
    /// The mean over height and width, (N, C): Keras' `pooling="avg"`, the default, and what
    /// every saved model without a `pooling` key has.
    case avg
    /// The maximum over height and width, (N, C): Keras' `pooling="max"`.
    case max
    /// Every value of the map, (N, C * h * w) in channel-major order (PyTorch's `flatten`, not
    /// Keras' channels-last order): the Keras tutorials' `Flatten()` before `Dense(256)`. The
    /// head's input width then depends on the image size.
    case flatten

    /// The head's input width for a map of `channels` x `height` x `width`.
    public func width(channels: Int, height: Int, width: Int) -> Int {
        self == .flatten ? channels * height * width : channels
    }

    /// Pools a (N, C, h, w) feature map.
    func callAsFunction(_ map: Tensor) -> Tensor {
        switch self {
        case .avg: return globalAvgPool2d(map)
        case .max: return globalMaxPool2d(map)
        case .flatten: return GraftCore.flatten(map)
        }
    }
}
