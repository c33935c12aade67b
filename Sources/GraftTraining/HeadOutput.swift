/// What the head's last dense layer produces.
public enum HeadOutput: String, Codable, CaseIterable, Sendable {
    /// One logit per class, softmax cross-entropy: any number of classes.
    case softmax
    /// One logit z for two classes (Keras' `Dense(1, activation="sigmoid")` with binary
    /// cross-entropy): the probability of the second class is sigmoid(z). The classifier still
    /// returns two logits per image, [0, z], whose softmax is exactly (1 - sigmoid(z), sigmoid(z)),
    /// so training (softmax cross-entropy of [0, z] is binary cross-entropy of z), evaluation and
    /// prediction treat both outputs alike and report two class probabilities.
    case sigmoid

    /// Units of the last dense layer for `classes` classes.
    func units(classes: Int) -> Int { self == .sigmoid ? 1 : classes }
}
