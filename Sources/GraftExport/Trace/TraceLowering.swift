import Graft

/// Turns the nodes of an inference trace into ONNX nodes: each traced op, fused post-ops
/// included, becomes the standard ops that compute the same (a convolution with its residual
/// added and ReLU6 is Conv, Add and Clip), with the weights as they ran (BatchNorm folded in).
struct TraceLowering {
    let trace: InferenceTrace
    let batch: BatchAnalysis
    let layers: LayerNames
    let opset: Int
    var graph: GraphBuilder
    /// The name in the graph of each trace value made available so far.
    private var names: [TraceValueID: String] = [:]

    init(trace: InferenceTrace, batch: BatchAnalysis, layers: LayerNames, opset: Int, reserving reserved: [String]) {
        self.trace = trace
        self.batch = batch
        self.layers = layers
        self.opset = opset
        graph = GraphBuilder(reserving: reserved)
        for id in trace.inputs { names[id] = ONNXNames.input }
    }

    /// Lowers every node; the trace's output is named `output`.
    mutating func lowerAll(output: String) throws {
        for (index, node) in trace.nodes.enumerated() {
            var result = try lower(node, index: index)
            if node.output == trace.output {
                // An op that passed its input on (a reshape to the same shape) made no node of its own.
                if graph.nodes.last?.output != [result] { result = graph.add("Identity", [result], name: layers.nodeName(index)) }
                graph.renameLastOutput(to: output)
                result = output
            }
            names[node.output] = result
            graph.declare(result, shape: batch[node.output])
        }
        if names[trace.output] != output {
            // A pass that returned its input, or a constant.
            graph.add("Identity", [try value(trace.output, reader: max(0, trace.nodes.count - 1))], name: "output", output: output)
        }
    }

    // MARK: - Values

    /// The graph's name for a value `reader` (a node index) reads: a constant becomes an
    /// initializer (or, for one the model fills for its batch, a ConstantOfShape) when first read.
    private mutating func value(_ id: TraceValueID, reader: Int) throws -> String {
        if let name = names[id] { return name }
        let value = trace[id]
        precondition(value.role == .constant, "the trace reads \(id) before an op wrote it")
        let name: String
        if let filler = batch.filledConstants[id] {
            name = filled(shape: batch[id], with: filler, layer: layers.nodeName(reader))
        } else {
            guard let values = value.values else {
                throw ONNXExportError.unexportable(layer: layers.describe(reader), reason: "the trace kept no values for constant \(id)")
            }
            name = graph.addInitializer(Self.initializerName(value), shape: value.shape, values: values)
        }
        names[id] = name
        return name
    }

    /// A parameter's key; a weight with BatchNorm folded in says so ("_conv_stem.weight.bn_folded").
    private static func initializerName(_ value: TraceValue) -> String {
        if let name = value.name { return name }
        if let folding = value.folding, let weight = folding.convolutionWeight {
            let key = folding.part == .weight ? weight : folding.convolutionBias ?? LayerNames.layer(ofKey: weight) + ".bias"
            return key + ".bn_folded"
        }
        return "const_\(value.id.rawValue)"
    }

    /// A tensor of `shape` (batch first) holding `value` everywhere, sized from the input's batch.
    private mutating func filled(shape: Shape, with value: Float, layer: String) -> String {
        let inputShape = graph.add("Shape", [ONNXNames.input], name: layer)
        let zero = graph.int64Constant([0]), one = graph.int64Constant([1])
        var dims = graph.add("Slice", [inputShape, zero, one, zero], name: layer)
        let rest = shape.dropFirst().compactMap(\.value)
        if !rest.isEmpty { dims = graph.add("Concat", [dims, graph.int64Constant(rest)], name: layer, attributes: [.int("axis", 0)]) }
        return graph.add("ConstantOfShape", [dims], name: layer,
                         attributes: [.tensor("value", .float32("value", shape: [1], values: [value]))])
    }

    // MARK: - Ops

    /// Emits the nodes of one traced op and returns the name of its result.
    private mutating func lower(_ node: TraceNode, index: Int) throws -> String {
        let layer = layers.nodeName(index)
        let x = try value(node.inputs[0], reader: index)
        switch node.op {
        case let .convolution(attributes, postOps):
            return try apply(postOps, to: try convolution(x, attributes, layer: layer, reader: index), layer: layer, reader: index)
        case let .linear(weight, bias):
            let inputs = [x, try value(weight, reader: index)] + (try bias.map { [try value($0, reader: index)] } ?? [])
            return graph.add("Gemm", inputs, name: layer, attributes: [.int("transB", 1)])
        case .matmul:
            return graph.add("MatMul", [x, try value(node.inputs[1], reader: index)], name: layer)
        case let .pooling(pooling):
            return pool(x, pooling, layer: layer)
        case .globalAveragePool:
            let pooled = graph.add("GlobalAveragePool", [x], name: layer)
            return graph.add("Flatten", [pooled], name: layer, attributes: [.int("axis", 1)])
        case .add, .multiply:
            let op = node.op == .add ? "Add" : "Mul"
            return graph.add(op, [x, try value(node.inputs[1], reader: index)], name: layer)
        case let .concat(axis):
            let parts = try node.inputs.map { try value($0, reader: index) }
            return graph.add("Concat", parts, name: layer, attributes: [.int("axis", axis)])
        case .reshape:
            return reshape(x, from: batch[node.inputs[0]], to: batch[node.output], layer: layer)
        case let .activation(kind):
            return activation(kind, x, layer: layer)
        case let .batchNorm(norm, postOps):
            return try apply(postOps, to: try batchNorm(x, norm, rank: batch[node.inputs[0]].count, layer: layer, reader: index),
                             layer: layer, reader: index)
        case let .channelLayerNorm(epsilon):
            return channelLayerNorm(x, weight: try value(node.inputs[1], reader: index), bias: try value(node.inputs[2], reader: index),
                                    epsilon: epsilon, layer: layer)
        case .mean:
            let mean = graph.add("ReduceMean", [x], name: layer, attributes: [.int("keepdims", 0)])
            return graph.add("Reshape", [mean, graph.int64Constant([1])], name: layer)
        case .dropout:
            throw ONNXExportError.unexportable(layer: layers.describe(index),
                                               reason: "dropout ran as in training; export traces an inference pass, where it is the identity")
        case .stochasticDepth:
            throw ONNXExportError.unexportable(layer: layers.describe(index),
                                               reason: "stochastic depth ran as in training; export traces an inference pass, where it is the identity")
        }
    }

    private mutating func apply(_ postOps: [TraceOp.PostOp], to input: String, layer: String, reader: Int) throws -> String {
        var y = input
        for postOp in postOps {
            switch postOp {
            case .add(let residual): y = graph.add("Add", [y, try value(residual, reader: reader)], name: layer)
            case .activation(let kind): y = activation(kind, y, layer: layer)
            case .depthwise(let attributes):
                // The fused depthwise convolution's own weights name its node.
                let weight = trace[attributes.weight]
                let own = (weight.name ?? weight.folding?.convolutionWeight).map(LayerNames.layer(ofKey:)) ?? layer
                y = try convolution(y, attributes, layer: own, reader: reader)
            }
        }
        return y
    }

    private mutating func convolution(_ x: String, _ a: TraceOp.Convolution, layer: String, reader: Int) throws -> String {
        var weight = try value(a.weight, reader: reader)
        // A Linear layer's (O, I) weight run as a 1x1 convolution (ConvNeXt): ONNX's Conv wants it 4-D.
        if trace[a.weight].shape.count == 2 {
            weight = graph.add("Reshape", [weight, graph.int64Constant(trace[a.weight].shape + [1, 1])], name: layer)
        }
        let inputs = [x, weight] + (try a.bias.map { [try value($0, reader: reader)] } ?? [])
        return graph.add("Conv", inputs, name: layer, attributes: [
            .ints("kernel_shape", [a.kernel.height, a.kernel.width]),
            .ints("strides", [a.stride.height, a.stride.width]),
            .ints("dilations", [a.dilation.height, a.dilation.width]),
            .ints("pads", Self.pads(a.padding)),
            .int("group", a.groups),
        ])
    }

    private mutating func pool(_ x: String, _ p: TraceOp.Pooling, layer: String) -> String {
        var attributes: [ONNXAttributeProto] = [
            .ints("kernel_shape", [p.kernel.height, p.kernel.width]),
            .ints("strides", [p.stride.height, p.stride.width]),
            .ints("pads", Self.pads(p.padding)),
        ]
        switch p.kind {
        case .max:
            return graph.add("MaxPool", [x], name: layer, attributes: attributes)
        case .average(let countsPadding):
            attributes.append(.int("count_include_pad", countsPadding ? 1 : 0))
            return graph.add("AveragePool", [x], name: layer, attributes: attributes)
        }
    }

    /// ONNX orders pads as all beginnings, then all ends: [top, left, bottom, right]. TensorFlow's
    /// "SAME" arrives here already resolved, asymmetric where it was.
    private static func pads(_ p: PaddingAmounts) -> [Int] { [p.top, p.left, p.bottom, p.right] }

    /// A flatten of (N, ...) to (N, rest) is `Flatten`; any other reshape a `Reshape` whose
    /// target has -1 where the batch goes.
    private mutating func reshape(_ x: String, from input: Shape, to output: Shape, layer: String) -> String {
        if input == output { return x }
        if output.count == 2, input.count >= 2, output[0] == input[0], Shape(input.dropFirst()).fixedCount != nil {
            return graph.add("Flatten", [x], name: layer, attributes: [.int("axis", 1)])
        }
        let target = output.map { $0.value ?? -1 }
        return graph.add("Reshape", [x, graph.int64Constant(target)], name: layer)
    }

    private mutating func activation(_ kind: Activation, _ x: String, layer: String) -> String {
        switch kind {
        case .relu:
            return graph.add("Relu", [x], name: layer)
        case .relu6:
            // Clip's bounds are inputs since opset 11.
            return graph.add("Clip", [x, graph.scalar(0), graph.scalar(6)], name: layer)
        case .sigmoid:
            return graph.add("Sigmoid", [x], name: layer)
        case .silu:
            return graph.add("Mul", [x, graph.add("Sigmoid", [x], name: layer)], name: layer)
        case .hardSwish:
            if opset >= 14 { return graph.add("HardSwish", [x], name: layer) }
            let gate = graph.add("HardSigmoid", [x], name: layer, attributes: [.float("alpha", 1.0 / 6), .float("beta", 0.5)])
            return graph.add("Mul", [x, gate], name: layer)
        case .hardSigmoid:
            return graph.add("HardSigmoid", [x], name: layer, attributes: [.float("alpha", 1.0 / 6), .float("beta", 0.5)])
        case .gelu:
            if opset >= 20 { return graph.add("Gelu", [x], name: layer) }
            // x * (erf(x / sqrt 2) + 1) / 2: Erf is in every opset the exporter writes.
            let erf = graph.add("Erf", [graph.add("Mul", [x, graph.scalar(Float(0.5.squareRoot()))], name: layer)], name: layer)
            let half = graph.add("Mul", [graph.add("Add", [erf, graph.scalar(1)], name: layer), graph.scalar(0.5)], name: layer)
            return graph.add("Mul", [x, half], name: layer)
        }
    }

    /// LayerNorm over axis 1 of NCHW: ONNX normalizes over trailing axes, so the channels move last
    /// and back (the (C) scale and shift then broadcast along them). LayerNormalization from opset
    /// 17; before it, the same arithmetic in ReduceMean, Sub, Mul, Sqrt and Div.
    private mutating func channelLayerNorm(_ x: String, weight: String, bias: String, epsilon: Float, layer: String) -> String {
        let channelsLast = graph.add("Transpose", [x], name: layer, attributes: [.ints("perm", [0, 2, 3, 1])])
        var normalized: String
        if opset >= 17 {
            normalized = graph.add("LayerNormalization", [channelsLast, weight, bias], name: layer,
                                   attributes: [.int("axis", -1), .float("epsilon", epsilon)])
        } else {
            let mean = graph.add("ReduceMean", [channelsLast], name: layer, attributes: [.ints("axes", [-1]), .int("keepdims", 1)])
            let centered = graph.add("Sub", [channelsLast, mean], name: layer)
            let variance = graph.add("ReduceMean", [graph.add("Mul", [centered, centered], name: layer)], name: layer,
                                     attributes: [.ints("axes", [-1]), .int("keepdims", 1)])
            let std = graph.add("Sqrt", [graph.add("Add", [variance, graph.scalar(epsilon)], name: layer)], name: layer)
            normalized = graph.add("Div", [centered, std], name: layer)
            normalized = graph.add("Add", [graph.add("Mul", [normalized, weight], name: layer), bias], name: layer)
        }
        return graph.add("Transpose", [normalized], name: layer, attributes: [.ints("perm", [0, 3, 1, 2])])
    }

    /// BatchNorm that no convolution absorbed, with running statistics (inference): a BatchNorm
    /// before its convolution (DenseNet's, with a ReLU between) cannot be folded into the weights,
    /// but it is still one multiplier and one offset per channel, which is what the graph gets
    /// (Mul and Add of (C, 1, 1) constants, computed in double), as every other BatchNorm the
    /// exporter writes is folded. BatchNormalization itself only where the trace kept no values.
    private mutating func batchNorm(_ x: String, _ norm: TraceOp.BatchNormalization, rank: Int, layer: String,
                                    reader: Int) throws -> String {
        guard !norm.usesBatchStatistics else {
            throw ONNXExportError.unexportable(layer: layers.describe(reader),
                                               reason: "BatchNorm normalized with the batch's statistics, as in training")
        }
        let channels = trace[norm.mean].shape
        if let mean = trace[norm.mean].values, let variance = trace[norm.variance].values {
            let count = channels.reduce(1, *)
            let gamma: [Float]? = if let scale = norm.scale { trace[scale].values } else { [Float](repeating: 1, count: count) }
            let beta: [Float]? = if let shift = norm.shift { trace[shift].values } else { [Float](repeating: 0, count: count) }
            if let gamma, let beta {
                let multiplier = (0..<count).map { Double(gamma[$0]) / (Double(variance[$0]) + Double(norm.epsilon)).squareRoot() }
                let offset = (0..<count).map { Double(beta[$0]) - Double(mean[$0]) * multiplier[$0] }
                // (C, 1, 1) broadcasts along the channels of (N, C, H, W); (C) along those of (N, C).
                let shape = channels + [Int](repeating: 1, count: max(0, rank - 2))
                let scaled = graph.add("Mul", [x, graph.addInitializer(layer + ".bn_multiplier", shape: shape, values: multiplier.map(Float.init))],
                                       name: layer)
                return graph.add("Add", [scaled, graph.addInitializer(layer + ".bn_offset", shape: shape, values: offset.map(Float.init))],
                                 name: layer)
            }
        }
        let scale = try norm.scale.map { try value($0, reader: reader) }
            ?? graph.addInitializer(layer + ".scale_ones", shape: channels, values: .init(repeating: 1, count: channels.reduce(1, *)))
        let shift = try norm.shift.map { try value($0, reader: reader) }
            ?? graph.addInitializer(layer + ".shift_zeros", shape: channels, values: .init(repeating: 0, count: channels.reduce(1, *)))
        return graph.add("BatchNormalization", [x, scale, shift, try value(norm.mean, reader: reader), try value(norm.variance, reader: reader)],
                         name: layer, attributes: [.float("epsilon", norm.epsilon)])
    }
}
