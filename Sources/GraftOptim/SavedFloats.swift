import Foundation

/// A float32 array with its shape, encoded as base64 of little-endian float32: about a third of
/// the size of a JSON number list, and bit-exact by construction.
public struct SavedFloats: Equatable {
    public var shape: [Int]
    public var values: [Float]

    public init(shape: [Int], values: [Float]) {
        precondition(shape.reduce(1, *) == values.count, "\(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

extension SavedFloats: Codable {
    private enum CodingKeys: String, CodingKey { case shape, float32LittleEndian }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        shape = try container.decode([Int].self, forKey: .shape)
        let encoded = try container.decode(String.self, forKey: .float32LittleEndian)
        guard let bytes = Data(base64Encoded: encoded) else {
            throw DecodingError.dataCorruptedError(forKey: .float32LittleEndian, in: container,
                                                   debugDescription: "not valid base64")
        }
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), bytes.count == count * 4 else {
            throw DecodingError.dataCorruptedError(
                forKey: .float32LittleEndian, in: container,
                debugDescription: "\(bytes.count) bytes for shape \(shape), which needs \(count * 4)")
        }
        values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { raw in
                for i in 0..<count {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                    buffer[i] = Float(bitPattern: bits)
                }
            }
            initialized = count
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(shape, forKey: .shape)
        var bytes = Data(count: values.count * 4)
        bytes.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        try container.encode(bytes.base64EncodedString(), forKey: .float32LittleEndian)
    }
}
