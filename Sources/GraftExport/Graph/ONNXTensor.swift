import Foundation

/// Tensors as ONNX stores them: elements in row-major order, little-endian, in `raw_data`.
extension ONNXTensorProto {
    static func float32(_ name: String, shape: [Int], values: [Float]) -> ONNXTensorProto {
        var t = header(name, shape: shape, count: values.count, type: .float)
        var bytes = Data(count: values.count * MemoryLayout<UInt32>.size)
        bytes.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
            }
        }
        t.rawData = bytes
        return t
    }

    static func int64(_ name: String, shape: [Int], values: [Int]) -> ONNXTensorProto {
        var t = header(name, shape: shape, count: values.count, type: .int64)
        t.int64Data = values.map(Int64.init)
        return t
    }

    private static func header(_ name: String, shape: [Int], count: Int, type: DataType) -> ONNXTensorProto {
        precondition(shape.reduce(1, *) == count, "\(count) values for shape \(shape)")
        var t = ONNXTensorProto()
        t.name = name
        t.dims = shape.map(Int64.init)
        t.dataType = Int32(type.rawValue)
        return t
    }

    var elementType: ONNXTensorProto.DataType { ONNXTensorProto.DataType(rawValue: Int(dataType)) ?? .undefined }

    /// The elements of an int64 tensor (shapes, axes, indices), nil for other types.
    var int64Values: [Int]? {
        guard elementType == .int64 else { return nil }
        if !int64Data.isEmpty { return int64Data.map { Int($0) } }
        return rawData.withUnsafeBytes { raw in
            (0..<raw.count / 8).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
        }
    }
}

extension ONNXValueInfoProto {
    /// A float32 or int64 tensor of `shape`, the batch written as `batch` says.
    init(name: String, element: ONNXTensorProto.DataType, shape: Shape, batch: ONNXBatchSize) {
        self.init()
        self.name = name
        var tensor = ONNXTypeProto.Tensor()
        tensor.elemType = Int32(element.rawValue)
        var dims = ONNXTensorShapeProto()
        dims.dim = shape.map { d in
            var dim = ONNXTensorShapeProto.Dimension()
            switch (d, batch) {
            case let (.fixed(n), _): dim.dimValue = Int64(n)
            case (.batch, .dynamic): dim.dimParam = ONNXNames.batch
            case let (.batch, .fixed(n)): dim.dimValue = Int64(n)
            }
            return dim
        }
        tensor.shape = dims
        var type = ONNXTypeProto()
        type.tensorType = tensor
        self.type = type
    }
}
