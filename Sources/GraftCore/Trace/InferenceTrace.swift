/// Every op of one forward pass as it ran, fused paths included, with typed attributes, the ids
/// and shapes of what each op read and wrote, and the values of every constant (weights as they
/// ran: with BatchNorm folded in where it was). An exporter walks it instead of keeping a second
/// description of each architecture, as `torch.onnx.export` traces.
///
/// Capturing is scoped to the calling thread (and task): passes on other threads at the same
/// time are not recorded, and a pass that is not captured pays one check per op.
public struct InferenceTrace: Sendable {
    /// Ops in the order they ran; every node's inputs are inputs, constants or earlier outputs.
    public let nodes: [TraceNode]
    /// Every value, indexed by `TraceValueID.rawValue`.
    public let values: [TraceValue]
    /// The capture's inputs, in the order given.
    public let inputs: [TraceValueID]
    /// What the captured body returned.
    public let output: TraceValueID

    public subscript(id: TraceValueID) -> TraceValue { values[id.rawValue] }

    /// Runs `body` and records every op it runs on this thread.
    ///
    /// - Parameters:
    ///   - inputs: the tensors that are the pass's inputs; any other tensor an op reads that no
    ///     traced op wrote becomes a constant.
    ///   - names: keys for constants (a module's `stateTensors()`), so the trace says which
    ///     parameter each weight is.
    /// - Returns: what `body` returned, and the trace.
    public static func capture(inputs: [Tensor], names: [(name: String, tensor: Tensor)] = [],
                               _ body: () throws -> Tensor) rethrows -> (output: Tensor, trace: InferenceTrace) {
        let recorder = TraceRecorder(names: names)
        let inputIDs = inputs.map(recorder.declareInput)
        let output = try TraceRecorder.$active.withValue(recorder, operation: body)
        return (output, recorder.finish(inputs: inputIDs, output: output))
    }

    /// Whether the calling thread is capturing a trace now.
    public static var isCapturing: Bool { TraceRecorder.active != nil }

    /// Tells a capture on this thread that `weight` and `bias` are a convolution's with a BatchNorm
    /// folded in, so their constants name what they came from. Nothing happens when no capture runs.
    public static func noteFolding(weight: Tensor, bias: Tensor?, epsilon: Float, convolutionWeight: Tensor,
                                   convolutionBias: Tensor?, scale: Tensor?, shift: Tensor?, runningMean: Tensor,
                                   runningVariance: Tensor) {
        guard let recorder = TraceRecorder.active else { return }
        recorder.noteFolding(weight: weight, bias: bias) { name, part in
            BatchNormFolding(part: part, epsilon: epsilon, convolutionWeight: name(convolutionWeight),
                             convolutionBias: convolutionBias.flatMap(name), scale: scale.flatMap(name),
                             shift: shift.flatMap(name), runningMean: name(runningMean), runningVariance: name(runningVariance))
        }
    }
}

extension InferenceTrace {
    /// The nodes whose op is a convolution (post-ops included), in order.
    public var convolutions: [(node: TraceNode, attributes: TraceOp.Convolution, postOps: [TraceOp.PostOp])] {
        nodes.compactMap { node in
            guard case let .convolution(attributes, postOps) = node.op else { return nil }
            return (node, attributes, postOps)
        }
    }
}
