import Foundation

extension InferRequest {
    /// Parses `body`; `headerLength` is the `Inference-Header-Content-Length` header, present
    /// when binary tensors follow the JSON. Every error names the field at fault.
    init(body: Data, headerLength: Int?) throws {
        let json: Data, binary: Data
        if let headerLength {
            guard headerLength >= 0, headerLength <= body.count else {
                throw ServeError.badRequest("Inference-Header-Content-Length is \(headerLength), but the body has only \(body.count) bytes")
            }
            json = body.prefix(headerLength)
            binary = body.dropFirst(headerLength)
        } else {
            json = body
            binary = Data()
        }
        let root = try JSONFields.object(json, what: "the inference request")
        id = try root.optionalString("id")
        binaryOutputs = try root.object("parameters")?.optionalBool("binary_data_output") ?? false

        guard let inputList = try root.array("inputs"), !inputList.isEmpty else {
            throw ServeError.badRequest("the request has no \"inputs\": give one tensor, FP32 \"input\" or BYTES \"images\"")
        }
        var reader = BinaryTensorReader(data: binary)
        inputs = try inputList.enumerated().map { index, value in
            try Input(parsing: JSONFields(value, path: "inputs[\(index)]"), binary: &reader)
        }
        guard reader.isAtEnd else {
            throw ServeError.badRequest("\(reader.remaining) bytes follow the JSON header that no input's binary_data_size claims")
        }
        outputs = try root.array("outputs").map { list in
            try list.enumerated().map { index, value in try RequestedOutput(parsing: JSONFields(value, path: "outputs[\(index)]")) }
        }
    }
}

extension InferRequest.Input {
    init(parsing fields: JSONFields, binary: inout BinaryTensorReader) throws {
        name = try fields.string("name")
        datatype = try fields.string("datatype")
        shape = try fields.integers("shape")
        guard shape.allSatisfy({ $0 >= 0 }) else { throw fields.error("shape", "has a negative dimension: \(shape)") }
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= 1 << 30 else { throw fields.error("shape", "\(shape) holds more elements than any request may") }

        let binarySize = try fields.object("parameters")?.optionalInteger("binary_data_size")
        switch datatype {
        case "FP32":
            if let binarySize {
                guard binarySize == count * 4 else {
                    throw fields.error("parameters.binary_data_size", "is \(binarySize), but shape \(shape) of FP32 needs \(count * 4) bytes")
                }
                content = .floats(try binary.floats(count: count, field: fields.path))
            } else {
                content = .floats(try fields.flatNumbers("data", expected: count))
            }
        case "BYTES":
            if let binarySize {
                content = .bytes(try binary.byteElements(size: binarySize, count: count, field: fields.path))
            } else {
                content = .bytes(try fields.base64Strings("data", expected: count))
            }
        default:
            throw fields.error("datatype", "'\(datatype)' is not accepted: send FP32 preprocessed images or BYTES encoded image files")
        }
    }
}

extension InferRequest.RequestedOutput {
    init(parsing fields: JSONFields) throws {
        name = try fields.string("name")
        let parameters = try fields.object("parameters")
        binary = try parameters?.optionalBool("binary_data")
        let k = try parameters?.optionalInteger("classification")
        if let k, k < 0 { throw fields.error("parameters.classification", "must not be negative, not \(k)") }
        classification = k.flatMap { $0 == 0 ? nil : $0 }
    }
}
