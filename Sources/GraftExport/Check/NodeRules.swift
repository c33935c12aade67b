/// The type and shape one node produces from its inputs', for the ops the exporter emits, with
/// the checks each op's definition asks of its inputs.
struct NodeRules {
    let node: ONNXNodeProto
    let inputs: [CheckedValue]

    private func fail(_ reason: String) -> ONNXExportError { .invalidGraph(node: node.name, reason: reason) }

    private func float(_ index: Int, rank: Int? = nil) throws -> CheckedValue {
        guard index < inputs.count else { throw fail("input \(index) is missing") }
        let value = inputs[index]
        guard value.element == .float32 else { throw fail("input \(index) is int64, not float32") }
        if let rank, value.rank != rank { throw fail("input \(index) has shape \(value.shape.text), not rank \(rank)") }
        return value
    }

    /// The elements of a constant int64 input (a Reshape target, Slice bounds).
    private func elements(_ index: Int) throws -> [Dimension] {
        guard index < inputs.count, inputs[index].element == .int64, let elements = inputs[index].elements else {
            throw fail("input \(index) is not an int64 vector of known elements")
        }
        return elements
    }

    private func count(_ expected: ClosedRange<Int>) throws {
        guard expected.contains(inputs.count) else { throw fail("\(node.opType) takes \(expected) inputs, not \(inputs.count)") }
    }

    func output() throws -> CheckedValue {
        switch node.opType {
        case "Conv": return try convolution()
        case "MaxPool", "AveragePool": return try pool()
        case "GlobalAveragePool":
            try count(1...1)
            let x = try float(0, rank: 4)
            return .float32([x.shape[0], x.shape[1], .fixed(1), .fixed(1)])
        case "Flatten": return try flatten()
        case "Reshape": return try reshape()
        case "Gemm": return try gemm()
        case "MatMul":
            try count(2...2)
            let a = try float(0, rank: 2), b = try float(1, rank: 2)
            guard a.shape[1] == b.shape[0] else { throw fail("MatMul of \(a.shape.text) and \(b.shape.text)") }
            return .float32([a.shape[0], b.shape[1]])
        case "Relu", "Sigmoid", "HardSwish", "HardSigmoid", "Neg", "Identity", "Erf", "Sqrt", "Gelu":
            try count(1...1)
            return try float(0)
        case "Softmax":
            try count(1...1)
            let x = try float(0)
            let axis = node.intAttribute("axis", default: -1)
            guard (-x.rank..<x.rank).contains(axis) else { throw fail("Softmax axis \(axis) of \(x.shape.text)") }
            return x
        case "Clip":
            try count(1...3)
            for bound in 1..<inputs.count {
                guard try float(bound).rank == 0 else { throw fail("Clip's bounds must be scalars") }
            }
            return try float(0)
        case "Add", "Mul", "Sub", "Div":
            try count(2...2)
            let a = try float(0), b = try float(1)
            guard let shape = broadcast(a.shape, b.shape) else { throw fail("\(a.shape.text) and \(b.shape.text) do not broadcast") }
            return .float32(shape)
        case "Concat": return try concat()
        case "BatchNormalization":
            try count(5...5)
            let x = try float(0)
            guard x.rank >= 2 else { throw fail("BatchNormalization of \(x.shape.text)") }
            for i in 1...4 {
                guard try float(i).shape == [x.shape[1]] else {
                    throw fail("BatchNormalization input \(i) has shape \(inputs[i].shape.text), not (\(x.shape[1]))")
                }
            }
            return x
        case "ReduceMean": return try reduceMean()
        case "Transpose":
            try count(1...1)
            let x = try float(0)
            let perm = node.intsAttribute("perm") ?? Array((0..<x.rank).reversed())
            guard perm.sorted() == Array(0..<x.rank) else { throw fail("Transpose of \(x.shape.text) by \(perm)") }
            return .float32(Shape(perm.map { x.shape[$0] }))
        case "LayerNormalization":
            try count(2...3)
            let x = try float(0)
            let axis = node.intAttribute("axis", default: -1)
            guard (-x.rank..<x.rank).contains(axis) else { throw fail("LayerNormalization axis \(axis) of \(x.shape.text)") }
            let normalized = Shape(x.shape[((axis + x.rank) % x.rank)...])
            for i in 1..<inputs.count {
                guard try float(i).shape == normalized else {
                    throw fail("LayerNormalization input \(i) has shape \(inputs[i].shape.text), not \(normalized.text)")
                }
            }
            return x
        case "Shape":
            try count(1...1)
            let x = inputs[0]
            return CheckedValue(element: .int64, shape: [.fixed(x.rank)], elements: x.shape)
        case "Slice": return try slice()
        case "ConstantOfShape":
            try count(1...1)
            guard node.attribute("value")?.t.elementType == .float else { throw fail("ConstantOfShape needs a float32 value") }
            return .float32(try elements(0))
        case "Gather": return try gather()
        default:
            throw fail("\(node.opType) is not an op the exporter's check knows")
        }
    }

    /// Output size of a window over `size`: (size + pads - dilation * (kernel - 1) - 1) / stride + 1.
    private func windowed(_ spatial: [Dimension], kernel: [Int], strides: [Int], pads: [Int], dilations: [Int]) throws -> Shape {
        guard kernel.count == 2, strides.count == 2, pads.count == 4, dilations.count == 2 else {
            throw fail("kernel_shape \(kernel), strides \(strides), pads \(pads), dilations \(dilations) for a 2-D window")
        }
        return try (0..<2).map { i in
            guard let size = spatial[i].value else { throw fail("a spatial dimension is the batch") }
            let extent = size + pads[i] + pads[i + 2] - dilations[i] * (kernel[i] - 1) - 1
            guard extent >= 0, strides[i] > 0 else { throw fail("a \(kernel[i])-wide window does not fit \(size) with pads \(pads)") }
            return .fixed(extent / strides[i] + 1)
        }
    }

    private func convolution() throws -> CheckedValue {
        try count(2...3)
        let x = try float(0, rank: 4), w = try float(1, rank: 4)
        let groups = node.intAttribute("group", default: 1)
        guard let outChannels = w.shape[0].value, let perGroup = w.shape[1].value, groups > 0, outChannels % groups == 0,
              x.shape[1] == .fixed(perGroup * groups) else {
            throw fail("a convolution of \(x.shape.text) with weights \(w.shape.text) in \(groups) groups")
        }
        let kernel = [w.shape[2].value ?? 0, w.shape[3].value ?? 0]
        guard node.intsAttribute("kernel_shape") ?? kernel == kernel else { throw fail("kernel_shape disagrees with the weights \(w.shape.text)") }
        if inputs.count == 3 {
            guard try float(2).shape == [.fixed(outChannels)] else { throw fail("bias of shape \(inputs[2].shape.text) for \(outChannels) channels") }
        }
        let spatial = try windowed(Array(x.shape[2...]), kernel: kernel, strides: node.intsAttribute("strides") ?? [1, 1],
                                   pads: node.intsAttribute("pads") ?? [0, 0, 0, 0], dilations: node.intsAttribute("dilations") ?? [1, 1])
        return .float32([x.shape[0], .fixed(outChannels)] + spatial)
    }

    private func pool() throws -> CheckedValue {
        try count(1...1)
        let x = try float(0, rank: 4)
        guard let kernel = node.intsAttribute("kernel_shape") else { throw fail("\(node.opType) without kernel_shape") }
        let spatial = try windowed(Array(x.shape[2...]), kernel: kernel, strides: node.intsAttribute("strides") ?? [1, 1],
                                   pads: node.intsAttribute("pads") ?? [0, 0, 0, 0], dilations: [1, 1])
        return .float32(Array(x.shape[..<2]) + spatial)
    }

    private func flatten() throws -> CheckedValue {
        try count(1...1)
        let x = try float(0)
        let axis = node.intAttribute("axis", default: 1)
        guard (0...x.rank).contains(axis) else { throw fail("Flatten axis \(axis) of \(x.shape.text)") }
        let outer = Shape(x.shape[..<axis]), inner = Shape(x.shape[axis...])
        guard let innerCount = inner.fixedCount else { throw fail("Flatten would fold the batch into its second axis") }
        if let outerCount = outer.fixedCount { return .float32([.fixed(outerCount), .fixed(innerCount)]) }
        guard outer.filter({ $0 != .fixed(1) }) == [.batch] else { throw fail("Flatten would multiply the batch by other axes") }
        return .float32([.batch, .fixed(innerCount)])
    }

    /// ONNX's Reshape: 0 copies the input's dimension, -1 takes what is left.
    private func reshape() throws -> CheckedValue {
        try count(2...2)
        let x = try float(0)
        let target = try elements(1)
        let copied: [Dimension?] = try target.enumerated().map { axis, d in
            switch d {
            case .fixed(0):
                guard axis < x.rank else { throw fail("Reshape copies axis \(axis) of \(x.shape.text)") }
                return x.shape[axis]
            case .fixed(-1): return nil
            default: return d
            }
        }
        let free = copied.indices.filter { copied[$0] == nil }
        let known = copied.compactMap { $0 }
        let inputBatch = x.shape.contains(.batch), knownBatch = known.contains(.batch)
        guard let inCount = Shape(x.shape.filter { $0 != .batch }).fixedCount,
              let knownCount = Shape(known.filter { $0 != .batch }).fixedCount, free.count <= 1, knownCount > 0 else {
            throw fail("Reshape of \(x.shape.text) to \(target)")
        }
        var result = known
        if let axis = free.first {
            guard inCount % knownCount == 0 else { throw fail("Reshape of \(x.shape.text) to \(target): sizes do not divide") }
            let rest = inCount / knownCount
            // -1 takes the batch when the target names it nowhere else.
            let filled: Dimension
            if inputBatch && !knownBatch {
                guard rest == 1 else { throw fail("Reshape of \(x.shape.text) to \(target) would multiply the batch") }
                filled = .batch
            } else {
                filled = .fixed(rest)
            }
            result.insert(filled, at: axis)
        } else if inCount != knownCount || inputBatch != knownBatch {
            throw fail("Reshape of \(x.shape.text) to \(target) changes the number of elements")
        }
        return .float32(result)
    }

    /// Over `axes` (an attribute up to opset 17), or over every axis without it.
    private func reduceMean() throws -> CheckedValue {
        try count(1...1)
        let x = try float(0)
        let axes = (node.intsAttribute("axes") ?? Array(0..<x.rank)).map { ($0 + x.rank) % x.rank }
        let keeps = node.intAttribute("keepdims", default: 1) != 0
        return .float32(Shape(x.shape.indices.compactMap { axis in
            axes.contains(axis) ? (keeps ? .fixed(1) : nil) : x.shape[axis]
        }))
    }

    private func gemm() throws -> CheckedValue {
        try count(2...3)
        let a = try float(0, rank: 2), b = try float(1, rank: 2)
        guard node.intAttribute("transA", default: 0) == 0 else { throw fail("Gemm with transA") }
        let transposed = node.intAttribute("transB", default: 0) == 1
        let (k, n) = transposed ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
        guard a.shape[1] == k else { throw fail("Gemm of \(a.shape.text) with weights \(b.shape.text)") }
        let result: Shape = [a.shape[0], n]
        if inputs.count == 3 {
            let c = try float(2)
            guard broadcast(result, c.shape) == result else { throw fail("Gemm's C \(c.shape.text) does not broadcast to \(result.text)") }
        }
        return .float32(result)
    }

    private func concat() throws -> CheckedValue {
        try count(1...Int.max)
        let first = inputs[0]
        let axis = node.intAttribute("axis", default: 0)
        guard (0..<first.rank).contains(axis) else { throw fail("Concat axis \(axis) of \(first.shape.text)") }
        var total = 0
        for part in inputs {
            var a = part.shape, b = first.shape
            guard part.element == first.element, part.rank == first.rank, let size = part.shape[axis].value else {
                throw fail("Concat of \(inputs.map(\.shape.text)) along axis \(axis)")
            }
            a.remove(at: axis)
            b.remove(at: axis)
            guard a == b else { throw fail("Concat of \(inputs.map(\.shape.text)) along axis \(axis)") }
            total += size
        }
        var shape = first.shape
        shape[axis] = .fixed(total)
        let elements = first.element == .int64 && first.rank == 1 ? inputs.map(\.elements).reduce([Dimension]?([])) { a, b in
            a.flatMap { a in b.map { a + $0 } }
        } : nil
        return CheckedValue(element: first.element, shape: shape, elements: elements)
    }

    /// Slice of a 1-D int64 vector of known elements (the batch out of a shape).
    private func slice() throws -> CheckedValue {
        try count(3...4)
        let data = inputs[0]
        guard data.element == .int64, data.rank == 1, let values = data.elements else { throw fail("Slice of other than a known int64 vector") }
        let starts = try elements(1), ends = try elements(2)
        if inputs.count == 4 { guard try elements(3) == [.fixed(0)] else { throw fail("Slice along another axis than 0") } }
        guard let start = starts.first?.value, let end = ends.first?.value, starts.count == 1, ends.count == 1,
              0 <= start, start <= end, end <= values.count else {
            throw fail("Slice [\(starts), \(ends)) of \(values.count) elements")
        }
        let part = Array(values[start..<end])
        return CheckedValue(element: .int64, shape: [.fixed(part.count)], elements: part)
    }

    private func gather() throws -> CheckedValue {
        try count(2...2)
        let data = try float(0)
        let axis = node.intAttribute("axis", default: 0)
        let indices = try elements(1)
        guard (0..<data.rank).contains(axis), let size = data.shape[axis].value,
              indices.allSatisfy({ $0.value.map { (0..<size).contains($0) } ?? false }) else {
            throw fail("Gather of \(indices) along axis \(axis) of \(data.shape.text)")
        }
        var shape = data.shape
        shape[axis] = .fixed(indices.count)
        return .float32(shape)
    }
}
