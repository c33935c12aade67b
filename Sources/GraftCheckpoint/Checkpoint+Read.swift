import Foundation

extension Checkpoint {
    /// Reads a PyTorch (legacy or zip), safetensors or Keras (.h5, .weights.h5, .keras) file,
    /// whichever its first bytes (and, for a zip, its members) say it is.
    /// `stateDictKey` picks the state dict inside a PyTorch file that wraps it.
    public static func read(contentsOf url: URL, stateDictKey: String? = nil) throws -> Checkpoint {
        let data = try readFile(url)
        switch Format(data) {
        case .safetensors: return try Safetensors.decode(data, source: url.path)
        case .hdf5: return try KerasWeights.read(contentsOf: url)
        case .zip where KerasWeights.isKerasArchive(url): return try KerasWeights.read(contentsOf: url)
        case .zip, .legacyPickle: return try PyTorchCheckpoint.read(contentsOf: url, stateDictKey: stateDictKey)
        case .unknown: throw CheckpointError.badMagic(source: url.path, found: Format.describePrefix(of: data))
        }
    }
}
