import GraftCore

/// The two things a Keras build of MobileNetV2 or EfficientNet changes in every convolution block.
struct ConvStyle {
    /// BatchNorm's epsilon: torchvision's 1e-5, Keras' default 1e-3.
    let epsilon: Float
    /// The convolutions' padding: nil for torchvision's symmetric k / 2, TensorFlow's "SAME" for Keras.
    let padding: Padding?

    init(_ flavor: Flavor) {
        epsilon = flavor == .keras ? 1e-3 : 1e-5
        padding = flavor == .keras ? .same : nil
    }
}
