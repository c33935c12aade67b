/// Joins (N, C_i, ...) tensors along dimension 1.
func naiveConcatChannels(_ parts: [RefTensor]) -> RefTensor {
    let n = parts[0].shape[0]
    var shape = parts[0].shape
    shape[1] = parts.map { $0.shape[1] }.reduce(0, +)
    var data: [Double] = []
    data.reserveCapacity(shape.reduce(1, *))
    for b in 0..<n {
        for p in parts {
            let perBatch = p.count / n
            data += p.data[(b * perBatch)..<((b + 1) * perBatch)]
        }
    }
    return RefTensor(shape: shape, data: data)
}
