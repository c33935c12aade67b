/// The layers grafted onto a backbone's pooled features: optional hidden dense layers, each
/// followed by ReLU and dropout, then a dense layer to the classes.
public struct HeadConfiguration: Codable, Equatable, Sendable {
    /// Widths of the hidden dense layers, in order; empty maps features straight to classes.
    public var hiddenUnits: [Int]
    /// Dropout before each dense layer that follows a hidden one, and before the output layer.
    public var dropout: Float

    public init(hiddenUnits: [Int] = [], dropout: Float = 0.2) {
        self.hiddenUnits = hiddenUnits
        self.dropout = dropout
    }
}
