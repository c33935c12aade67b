import Foundation

/// Which checkpoint format bytes are in, from their first bytes.
enum Format: Equatable {
    case zip, legacyPickle, safetensors, hdf5, unknown

    init(_ data: Data) {
        let head = [UInt8](data.prefix(9))
        if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) {
            self = .zip
        } else if head.starts(with: HDF5File.signature) {
            self = .hdf5
        } else if head.count >= 2, head[0] == 0x80, (2...5).contains(head[1]) {
            // PROTO: a pickle, which in a checkpoint is the magic number that opens a legacy torch
            // file (checked when it is read).
            self = .legacyPickle
        } else if head.count == 9, head[8] == UInt8(ascii: "{") {
            // An 8-byte header length, then the JSON header.
            self = .safetensors
        } else {
            self = .unknown
        }
    }

    static func describePrefix(of data: Data) -> String {
        guard !data.isEmpty else { return "nothing: the file is empty" }
        return "bytes " + data.prefix(8).map { String(format: "%02x", $0) }.joined(separator: " ")
    }
}
