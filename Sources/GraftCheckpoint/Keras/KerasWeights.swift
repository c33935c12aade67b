import Foundation
import ZIPFoundation

/// Keras weight files: HDF5 as Keras 2 wrote them (`save_weights` to .h5, the application weights
/// such as `vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5`, or a whole model's .h5 whose
/// weights sit under `model_weights`), Keras 3's `.weights.h5`, and `.keras` archives (a zip
/// holding `model.weights.h5`).
///
/// Keras files name layers, not parameters, and order each layer's variables (a convolution's
/// kernel then bias; BatchNorm's gamma, beta, moving mean, moving variance). The checkpoint keeps
/// that: tensor "LAYER/I" is variable I of layer LAYER, in Keras' shape (HWIO kernels); mapping
/// onto a network's own names and layouts is the network's business (`KerasLayout`).
public enum KerasWeights {
    /// The member of a .keras archive that holds the weights.
    static let archiveMember = "model.weights.h5"

    /// Whether the zip archive at `url` is a .keras file (rather than a PyTorch checkpoint).
    static func isKerasArchive(_ url: URL) -> Bool {
        guard let archive = try? Archive(url: url, accessMode: .read) else { return false }
        return archive[archiveMember] != nil
    }

    /// Whether `url` is a Keras weight file: HDF5 by its signature, or a .keras archive.
    public static func isKerasFile(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 8)) ?? Data())
        if head == HDF5File.signature { return true }
        return head.starts(with: [0x50, 0x4b, 0x03, 0x04]) && isKerasArchive(url)
    }

    public static func read(contentsOf url: URL) throws -> Checkpoint {
        if isKerasArchive(url) { return try readArchive(url) }
        return try read(HDF5File(path: url.path), source: url.path, format: "keras-h5")
    }

    /// The weights member of a .keras archive, extracted to a temporary file that libhdf5 reads.
    private static func readArchive(_ url: URL) throws -> Checkpoint {
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw CheckpointError.unreadableFile(source: url.path, reason: "not a readable zip archive: \(error)")
        }
        guard let entry = archive[archiveMember] else {
            throw CheckpointError.invalidKerasWeights(source: url.path, reason: "the archive has no \(archiveMember)")
        }
        let extracted = FileManager.default.temporaryDirectory.appendingPathComponent("graft-keras-\(UUID().uuidString).h5")
        defer { try? FileManager.default.removeItem(at: extracted) }
        do { _ = try archive.extract(entry, to: extracted) } catch {
            throw CheckpointError.unreadableFile(source: url.path, reason: "\(archiveMember) could not be extracted: \(error)")
        }
        let source = "\(url.path) (\(archiveMember))"
        return try read(HDF5File(path: extracted.path, source: source), source: source, format: "keras")
    }

    private static func read(_ file: HDF5File, source: String, format: String) throws -> Checkpoint {
        let tensors: [CheckpointTensor]
        if let layers = try file.strings(attribute: "layer_names", of: "") {
            tensors = try legacyTensors(file, root: "", layers: layers)
        } else if let layers = try file.strings(attribute: "layer_names", of: "model_weights") {
            tensors = try legacyTensors(file, root: "model_weights/", layers: layers)
        } else {
            tensors = try keras3Tensors(file)
        }
        guard !tensors.isEmpty else {
            throw CheckpointError.invalidKerasWeights(source: source, reason: "it holds no layer weights (neither Keras 2's layer_names nor Keras 3's layers/NAME/vars)")
        }
        return Checkpoint(tensors: tensors, metadata: ["format": format], source: source)
    }

    /// Keras 2: a group per layer whose `weight_names` attribute lists its datasets in order.
    private static func legacyTensors(_ file: HDF5File, root: String, layers: [String]) throws -> [CheckpointTensor] {
        try layers.flatMap { layer -> [CheckpointTensor] in
            let weightNames = try file.strings(attribute: "weight_names", of: root + layer) ?? []
            return try weightNames.enumerated().map { index, weight in
                let (shape, values) = try file.floats(root + layer + "/" + weight)
                return CheckpointTensor(name: "\(layer)/\(index)", shape: shape, values: values)
            }
        }
    }

    /// Keras 3: `layers/AUTO_NAME/vars/I`, the layer's own name in the `name` attribute of `vars`.
    private static func keras3Tensors(_ file: HDF5File) throws -> [CheckpointTensor] {
        let paths = file.allPaths()
        let variableGroups = paths.filter { $0.hasPrefix("layers/") && $0.hasSuffix("/vars") }
        return try variableGroups.flatMap { group -> [CheckpointTensor] in
            let layer = try file.strings(attribute: "name", of: group)?.first
                ?? String(group.dropLast("/vars".count).split(separator: "/").last ?? "")
            var index = 0
            var tensors: [CheckpointTensor] = []
            while file.isDataset("\(group)/\(index)") {
                let (shape, values) = try file.floats("\(group)/\(index)")
                tensors.append(CheckpointTensor(name: "\(layer)/\(index)", shape: shape, values: values))
                index += 1
            }
            return tensors
        }
    }
}
