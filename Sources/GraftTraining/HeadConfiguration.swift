/// The layers grafted onto a backbone's feature map: its pooling (or flattening), optional
/// hidden dense layers, each followed by ReLU and dropout, then a dense layer to the classes (or
/// to a single sigmoid output for two classes, or to one sigmoid per class for multi-label data).
public struct HeadConfiguration: Equatable, Sendable {
    /// Widths of the hidden dense layers, in order; empty maps features straight to classes.
    public var hiddenUnits: [Int]
    /// Dropout before each dense layer that follows a hidden one, and before the output layer.
    public var dropout: Float
    /// Softmax over one logit per class (the default), or a single sigmoid unit for two classes.
    public var output: HeadOutput
    /// How the backbone's feature map becomes the first dense layer's input (global average by default).
    public var pooling: HeadPooling
    /// For a multi-label head: the probability at or above which a class is predicted (what
    /// predict, evaluate and the report use unless told otherwise).
    public var threshold: Float

    public static let defaultThreshold: Float = 0.5

    public init(hiddenUnits: [Int] = [], dropout: Float = 0.2, output: HeadOutput = .softmax, pooling: HeadPooling = .avg,
                threshold: Float = HeadConfiguration.defaultThreshold) {
        self.hiddenUnits = hiddenUnits
        self.dropout = dropout
        self.output = output
        self.pooling = pooling
        self.threshold = threshold
    }
}
