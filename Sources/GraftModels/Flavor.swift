/// Whose build of a network: torchvision's, or Keras' (`keras.applications`). Keras names its
/// layers and lays out its files its own way, and some of its builds also differ in the network
/// itself (padding, BatchNorm epsilon, biases, where a stride sits) and in their preprocessing.
public enum Flavor: Sendable {
    case torchvision, keras

    /// The suffix of a Keras build's architecture name ("vgg16-keras").
    func architecture(_ name: String) -> String { self == .keras ? name + "-keras" : name }
}
