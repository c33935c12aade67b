import Foundation

/// A `POST /v2/models/{name}/infer` body of the Open Inference Protocol (KServe v2), with
/// Triton's binary tensor extension: a JSON header, then the raw bytes of the tensors whose
/// `parameters.binary_data_size` says they follow it.
struct InferRequest {
    struct Input {
        let name: String
        let datatype: String
        let shape: [Int]
        let content: TensorContent
    }

    struct RequestedOutput {
        let name: String
        /// Whether the client asked for it as raw bytes after the JSON header.
        let binary: Bool?
        /// Triton's classification extension: the top `k` as "score:index:label" strings.
        let classification: Int?
    }

    var id: String?
    var inputs: [Input]
    /// Nil when the request names none: then every output is returned.
    var outputs: [RequestedOutput]?
    /// `parameters.binary_data_output`: outputs not named otherwise are returned as raw bytes.
    var binaryOutputs: Bool
}

/// A tensor's elements, whichever way they were sent.
enum TensorContent {
    case floats([Float])
    case bytes([Data])

    var count: Int {
        switch self {
        case .floats(let values): return values.count
        case .bytes(let elements): return elements.count
        }
    }
}
