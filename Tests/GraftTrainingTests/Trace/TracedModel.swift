import Foundation
import GraftCore
import GraftNN
import XCTest

/// A network with random weights made fit for tracing tests, and the checks that replaying its
/// traces reproduces its output.
struct TracedModel {
    let model: Module
    let input: Tensor
    /// The pass traced: a backbone's `features`, a classifier's forward, ...
    let pass: (Tensor, ForwardContext) -> Tensor

    init(_ model: Module, inputShape: [Int], seed: UInt64 = 5, pass: @escaping (Tensor, ForwardContext) -> Tensor) {
        self.model = model
        self.pass = pass
        var g = SeededGenerator(seed: seed)
        input = Tensor(shape: inputShape, values: (0..<inputShape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &g) })
    }

    func trace(fusion: Bool) -> (output: Tensor, trace: InferenceTrace) {
        InferenceTrace.capture(inputs: [input], names: model.stateTensors()) {
            GradMode.withoutGradients { pass(input, ForwardContext(training: false, fusion: fusion, winograd: false)) }
        }
    }

    /// BatchNorm scale and shift away from 1 and 0, then running statistics set to what each layer
    /// sees for this input (measured by the interpreter on the unfused trace): random weights with
    /// statistics of 0 and 1 let activations fade to nothing over a deep network.
    func calibrate(seed: UInt64 = 9) {
        let norms = model.namedModules().compactMap { $0.module as? BatchNorm2d }
        guard !norms.isEmpty else { return }
        var g = SeededGenerator(seed: seed)
        for norm in norms {
            norm.weight?.assign((0..<norm.weight!.count).map { _ in Float.random(in: 0.5...1.5, using: &g) })
            norm.bias?.assign((0..<norm.bias!.count).map { _ in Float.random(in: -0.3...0.3, using: &g) })
        }
        var interpreter = TraceInterpreter(trace(fusion: false).trace, calibrating: true)
        _ = interpreter.run([input.values])
        let buffers = Dictionary(uniqueKeysWithValues: model.namedBuffers().map { ($0.name, $0.tensor) })
        for (name, values) in interpreter.measuredStatistics {
            // A channel that an activation zeroed everywhere would divide by sqrt(epsilon) alone.
            let adjusted = name.hasSuffix("running_var") ? values.map { Float(max($0, 1e-2)) } : values.map(Float.init)
            buffers[name]!.assign(adjusted)
        }
    }

    /// Traces the pass, replays the trace and checks the replay against the pass's own output
    /// (max |difference| / max |output| below `tolerance`), and that the output depends on the
    /// input (the examples of the batch differ). Returns the trace.
    @discardableResult
    func checkReplay(fusion: Bool, tolerance: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) -> InferenceTrace {
        let (output, trace) = trace(fusion: fusion)
        var interpreter = TraceInterpreter(trace)
        let replayed = interpreter.run([input.values])
        let actual = output.values.map(Double.init)
        XCTAssertEqual(replayed.shape, output.shape, file: file, line: line)
        let scale = actual.map(abs).max()!
        let difference = zip(replayed.data, actual).map { abs($0 - $1) }.max()!
        XCTAssertLessThan(difference / scale, tolerance, "replay of the trace, fusion \(fusion)", file: file, line: line)
        let width = actual.count / output.shape[0]
        let spread = (0..<width).map { abs(actual[$0] - actual[width + $0]) }.max()!
        XCTAssertGreaterThan(spread / scale, 0.01, "the two examples give (almost) the same output: a degenerate network",
                             file: file, line: line)
        return trace
    }
}

extension InferenceTrace {
    func count(where matches: (TraceOp) -> Bool) -> Int { nodes.filter { matches($0.op) }.count }

    var batchNormCount: Int { count { if case .batchNorm = $0 { return true } else { return false } } }

    /// Convolutions that ran, whether as nodes or as depthwise post-ops.
    var allConvolutions: [TraceOp.Convolution] {
        convolutions.flatMap { entry in
            [entry.attributes] + entry.postOps.compactMap { if case .depthwise(let dw) = $0 { return dw } else { return nil } }
        }
    }

    var postOpCount: Int { convolutions.map(\.postOps.count).reduce(0, +) }
}
