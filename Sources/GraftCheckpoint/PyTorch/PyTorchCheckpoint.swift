import Foundation
import ZIPFoundation

/// Reads PyTorch checkpoints (`torch.save` of a state dict) in both formats found in the wild,
/// the legacy one (torch < 1.6) and the zip one, without running any of the pickle's code.
public enum PyTorchCheckpoint {
    /// - Parameter stateDictKey: the entry that holds the state dict when the file wraps it
    ///   (`{"state_dict": ..., "epoch": 3}`). Without it the top-level dict is used if it holds
    ///   tensors, else the one entry that is a dict of tensors (preferring "state_dict", "model").
    public static func read(contentsOf url: URL, stateDictKey: String? = nil) throws -> Checkpoint {
        let data = try readFile(url)
        switch Format(data) {
        case .zip:
            return try readZip(at: url, byteCount: data.count, source: url.path, stateDictKey: stateDictKey)
        case .legacyPickle:
            return Checkpoint(tensors: try LegacyFormatReader.read([UInt8](data), source: url.path, stateDictKey: stateDictKey),
                              source: url.path)
        case .safetensors, .hdf5, .unknown:
            throw CheckpointError.badMagic(source: url.path, found: Format.describePrefix(of: data))
        }
    }

    /// The same from bytes in memory; `source` names them in errors.
    public static func decode(_ data: Data, source: String = "PyTorch checkpoint", stateDictKey: String? = nil) throws -> Checkpoint {
        switch Format(data) {
        case .zip:
            // ZIPFoundation's in-memory archives trap when a damaged directory points past the end
            // of the buffer; its file-backed ones just read nothing there. So zip bytes go through a file.
            let file = FileManager.default.temporaryDirectory
                .appendingPathComponent("graft-checkpoint-\(UUID().uuidString).zip")
            do {
                try data.write(to: file)
            } catch {
                throw CheckpointError.unreadableFile(source: source, reason: "cannot stage the archive in \(file.path): \(error)")
            }
            defer { try? FileManager.default.removeItem(at: file) }
            return try readZip(at: file, byteCount: data.count, source: source, stateDictKey: stateDictKey)
        case .legacyPickle:
            return Checkpoint(tensors: try LegacyFormatReader.read([UInt8](data), source: source, stateDictKey: stateDictKey),
                              source: source)
        case .safetensors, .hdf5, .unknown:
            throw CheckpointError.badMagic(source: source, found: Format.describePrefix(of: data))
        }
    }

    private static func readZip(at url: URL, byteCount: Int, source: String, stateDictKey: String?) throws -> Checkpoint {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw CheckpointError.unreadableFile(source: source, reason: "not a readable zip archive: \(error)")
        }
        let tensors = try ZipFormatReader(archive: archive, archiveByteCount: byteCount, source: source)
            .read(stateDictKey: stateDictKey)
        return Checkpoint(tensors: tensors, source: source)
    }
}

func readFile(_ url: URL) throws -> Data {
    do {
        return try Data(contentsOf: url, options: .mappedIfSafe)
    } catch {
        throw CheckpointError.unreadableFile(source: url.path, reason: error.localizedDescription)
    }
}
