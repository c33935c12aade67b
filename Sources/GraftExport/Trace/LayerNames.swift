import Graft

/// Names for the nodes of a trace in the model's own terms: the layer a node's weights belong to
/// ("backbone._blocks.3._expand_conv", from "backbone._blocks.3._expand_conv.weight"), for node
/// names in the file and for error messages.
struct LayerNames {
    /// Per node, the layer its named constants belong to; nil for ops without parameters.
    private let layers: [String?]
    private let kinds: [String]

    init(_ trace: InferenceTrace) {
        layers = trace.nodes.map { node in
            node.inputs.lazy.compactMap { id -> String? in
                let value = trace[id]
                return value.name ?? value.folding?.convolutionWeight
            }.first.map(Self.layer(ofKey:))
        }
        kinds = trace.nodes.map { $0.op.kind }
    }

    /// The layer's own name, or "<op kind>_<index>" for a node without parameters.
    func nodeName(_ index: Int) -> String {
        layers[index] ?? "\(kinds[index])_\(index)"
    }

    /// For messages: the layer, or the op and the nearest earlier layer.
    func describe(_ index: Int) -> String {
        if let layer = layers[index] { return layer }
        let previous = layers[..<index].lastIndex { $0 != nil }.flatMap { layers[$0] }
        return "\(kinds[index]) (op \(index) of the trace" + (previous.map { ", after \($0))" } ?? ")")
    }

    /// "head.3.weight" -> "head.3"; a key without a dot names its own layer.
    static func layer(ofKey key: String) -> String {
        guard let dot = key.lastIndex(of: ".") else { return key }
        return String(key[..<dot])
    }
}

extension TraceOp {
    /// A short name of the op's kind, for node names and messages.
    var kind: String {
        switch self {
        case .convolution: return "convolution"
        case .linear: return "linear"
        case .matmul: return "matmul"
        case .pooling(let p):
            if case .max = p.kind { return "max_pool" }
            return "average_pool"
        case .globalAveragePool: return "global_average_pool"
        case .add: return "add"
        case .multiply: return "multiply"
        case .concat: return "concat"
        case .reshape: return "reshape"
        case .activation(let a): return a.rawValue
        case .batchNorm: return "batch_norm"
        case .channelLayerNorm: return "layer_norm"
        case .mean: return "mean"
        case .dropout: return "dropout"
        case .stochasticDepth: return "stochastic_depth"
        }
    }
}
