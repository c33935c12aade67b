import Foundation

/// An inference response of the Open Inference Protocol: a JSON header, then the raw bytes of
/// the outputs the client asked to receive as binary (Triton's binary tensor extension).
struct InferResponse {
    struct Output {
        let name: String
        let datatype: String
        let shape: [Int]
        let values: OutputValues
        let binary: Bool
    }

    enum OutputValues {
        case floats([Float])
        case strings([String])
    }

    let modelName: String
    let id: String?
    let outputs: [Output]

    /// The body and, when binary outputs follow the JSON, the JSON's length for the
    /// `Inference-Header-Content-Length` header.
    func encoded() throws -> (body: Data, headerLength: Int?) {
        var tail = Data()
        let header = Header(
            model_name: modelName, model_version: "1", id: id,
            outputs: outputs.map { output in
                guard output.binary else {
                    return .init(name: output.name, datatype: output.datatype, shape: output.shape, data: output.values, parameters: nil)
                }
                let bytes = output.values.binaryData
                tail.append(bytes)
                return .init(name: output.name, datatype: output.datatype, shape: output.shape, data: nil,
                             parameters: .init(binary_data_size: bytes.count))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = try encoder.encode(header)
        return tail.isEmpty ? (json, nil) : (json + tail, json.count)
    }

    // The protocol's field names, spelled as it spells them.
    private struct Header: Encodable {
        struct Tensor: Encodable {
            let name: String
            let datatype: String
            let shape: [Int]
            let data: OutputValues?
            let parameters: Parameters?
        }

        struct Parameters: Encodable {
            let binary_data_size: Int
        }

        let model_name: String
        let model_version: String
        let id: String?
        let outputs: [Tensor]
    }
}

extension InferResponse.OutputValues: Encodable {
    func encode(to encoder: any Encoder) throws {
        switch self {
        case .floats(let values): try values.encode(to: encoder)
        case .strings(let values): try values.encode(to: encoder)
        }
    }

    /// Little-endian elements; each string as a 4-byte little-endian length and its UTF-8 bytes.
    var binaryData: Data {
        var data = Data()
        switch self {
        case .floats(let values):
            data.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        case .strings(let values):
            for value in values {
                let bytes = Data(value.utf8)
                withUnsafeBytes(of: UInt32(bytes.count).littleEndian) { data.append(contentsOf: $0) }
                data.append(bytes)
            }
        }
        return data
    }
}
