import Foundation
import GraftCore

/// Row-major values of any rank, in double precision.
struct PlainArray {
    var shape: [Int]
    var data: [Double]

    init(shape: [Int], data: [Double]) {
        precondition(shape.reduce(1, *) == data.count, "\(data.count) values for \(shape)")
        self.shape = shape
        self.data = data
    }

    init(shape: [Int], repeating value: Double = 0) { self.init(shape: shape, data: [Double](repeating: value, count: shape.reduce(1, *))) }
}

/// Replays a trace with naive loops over plain NCHW arrays: a second, independent implementation
/// of every op the trace names, so that a trace that reproduces the model's output describes the
/// model completely.
///
/// With `calibrating`, BatchNorm nodes normalize with their input's own statistics (biased
/// variance) and report them by the running statistics' names, so that a random network's
/// statistics can be set to what its layers really see.
struct TraceInterpreter {
    let trace: InferenceTrace
    var calibrating = false

    /// Per BatchNorm: the batch mean and variance its input had, by the names of the running statistics.
    private(set) var measuredStatistics: [String: [Double]] = [:]

    init(_ trace: InferenceTrace, calibrating: Bool = false) {
        self.trace = trace
        self.calibrating = calibrating
    }

    mutating func run(_ inputs: [[Float]]) -> PlainArray {
        var values: [TraceValueID: PlainArray] = [:]
        for (id, input) in zip(trace.inputs, inputs) { values[id] = PlainArray(shape: trace[id].shape, data: input.map(Double.init)) }
        for value in trace.values where value.role == .constant {
            values[value.id] = PlainArray(shape: value.shape, data: value.values!.map(Double.init))
        }
        for node in trace.nodes {
            let read = { (id: TraceValueID) -> PlainArray in
                guard let v = values[id] else { preconditionFailure("node reads \(id) before anything wrote it") }
                return v
            }
            var result = evaluate(node.op, node.inputs.map(read), read)
            precondition(result.shape == trace[node.output].shape,
                         "\(node.op) gave \(result.shape), the trace says \(trace[node.output].shape)")
            result.shape = trace[node.output].shape
            values[node.output] = result
        }
        return values[trace.output]!
    }

    private mutating func evaluate(_ op: TraceOp, _ inputs: [PlainArray], _ read: (TraceValueID) -> PlainArray) -> PlainArray {
        let x = inputs[0]
        switch op {
        case let .convolution(attributes, postOps):
            return apply(postOps, to: convolution(x, attributes, read), read)
        case let .linear(weight, bias):
            return Self.linear(x, read(weight), bias.map(read))
        case .matmul:
            return Self.matmul(x, inputs[1])
        case let .pooling(pooling):
            return Self.pool(x, pooling)
        case .globalAveragePool:
            let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
            return PlainArray(shape: [n, c], data: (0..<n * c).map { i in x.data[i * hw ..< (i + 1) * hw].reduce(0, +) / Double(hw) })
        case .add:
            return Self.broadcast(x, inputs[1], +)
        case .multiply:
            return Self.broadcast(x, inputs[1], *)
        case let .concat(axis):
            return Self.concat(inputs, axis: axis)
        case let .reshape(shape):
            return PlainArray(shape: shape, data: x.data)
        case let .activation(kind):
            return PlainArray(shape: x.shape, data: x.data.map { Self.activation(kind, $0) })
        case let .batchNorm(norm, postOps):
            return apply(postOps, to: batchNorm(x, norm, read), read)
        case let .channelLayerNorm(epsilon):
            return Self.channelLayerNorm(x, weight: inputs[1], bias: inputs[2], epsilon: Double(epsilon))
        case .mean:
            return PlainArray(shape: [1], data: [x.data.reduce(0, +) / Double(x.data.count)])
        case .dropout:
            preconditionFailure("dropout is traced only in training passes, which an inference replay cannot reproduce")
        case .stochasticDepth:
            preconditionFailure("stochastic depth is traced only in training passes, which an inference replay cannot reproduce")
        }
    }

    private func apply(_ postOps: [TraceOp.PostOp], to value: PlainArray, _ read: (TraceValueID) -> PlainArray) -> PlainArray {
        postOps.reduce(value) { y, postOp in
            switch postOp {
            case let .add(residual):
                let r = read(residual)
                precondition(r.shape == y.shape, "residual \(r.shape) for output \(y.shape)")
                return PlainArray(shape: y.shape, data: zip(y.data, r.data).map(+))
            case let .activation(kind):
                return PlainArray(shape: y.shape, data: y.data.map { Self.activation(kind, $0) })
            case let .depthwise(attributes):
                return convolution(y, attributes, read)
            }
        }
    }

    private func convolution(_ x: PlainArray, _ a: TraceOp.Convolution, _ read: (TraceValueID) -> PlainArray) -> PlainArray {
        var weight = read(a.weight)
        // A Linear layer's (O, I) weight run as a 1x1 convolution.
        if weight.shape.count == 2 { weight.shape += [1, 1] }
        let bias = a.bias.map(read)
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        precondition(c == a.inChannels && weight.shape == [a.outChannels, c / a.groups, a.kernel.height, a.kernel.width],
                     "convolution of \(x.shape) with weight \(weight.shape), attributes \(a)")
        let p = a.padding
        let oh = (h + p.top + p.bottom - (a.kernel.height - 1) * a.dilation.height - 1) / a.stride.height + 1
        let ow = (w + p.left + p.right - (a.kernel.width - 1) * a.dilation.width - 1) / a.stride.width + 1
        let perGroupIn = c / a.groups, perGroupOut = a.outChannels / a.groups
        var y = PlainArray(shape: [n, a.outChannels, oh, ow])
        x.data.withUnsafeBufferPointer { src in
            weight.data.withUnsafeBufferPointer { wts in
                y.data.withUnsafeMutableBufferPointer { dst in
                    for b in 0..<n {
                        for o in 0..<a.outChannels {
                            let out = (b * a.outChannels + o) * oh * ow
                            let initial = bias?.data[o] ?? 0
                            for i in 0..<oh * ow { dst[out + i] = initial }
                            let g = o / perGroupOut
                            for ic in 0..<perGroupIn {
                                let plane = (b * c + g * perGroupIn + ic) * h * w
                                for kh in 0..<a.kernel.height {
                                    for kw in 0..<a.kernel.width {
                                        let k = wts[((o * perGroupIn + ic) * a.kernel.height + kh) * a.kernel.width + kw]
                                        for yy in 0..<oh {
                                            let iy = yy * a.stride.height - p.top + kh * a.dilation.height
                                            guard iy >= 0 && iy < h else { continue }
                                            for xx in 0..<ow {
                                                let ix = xx * a.stride.width - p.left + kw * a.dilation.width
                                                guard ix >= 0 && ix < w else { continue }
                                                dst[out + yy * ow + xx] += k * src[plane + iy * w + ix]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    private mutating func batchNorm(_ x: PlainArray, _ norm: TraceOp.BatchNormalization,
                                    _ read: (TraceValueID) -> PlainArray) -> PlainArray {
        precondition(!norm.usesBatchStatistics, "a BatchNorm of a training pass")
        let (n, c) = (x.shape[0], x.shape[1])
        let spatial = x.data.count / (n * c)
        var mean = read(norm.mean).data, variance = read(norm.variance).data
        if calibrating {
            for ch in 0..<c {
                var sum = 0.0, squares = 0.0
                for b in 0..<n { for s in 0..<spatial { sum += x.data[(b * c + ch) * spatial + s] } }
                mean[ch] = sum / Double(n * spatial)
                for b in 0..<n { for s in 0..<spatial { let d = x.data[(b * c + ch) * spatial + s] - mean[ch]; squares += d * d } }
                variance[ch] = squares / Double(n * spatial)
            }
            measuredStatistics[trace[norm.mean].name!] = mean
            measuredStatistics[trace[norm.variance].name!] = variance
        }
        let scale = norm.scale.map(read)?.data, shift = norm.shift.map(read)?.data
        var y = x
        for b in 0..<n {
            for ch in 0..<c {
                let factor = (scale?[ch] ?? 1) / (variance[ch] + Double(norm.epsilon)).squareRoot()
                for s in 0..<spatial {
                    let k = (b * c + ch) * spatial + s
                    y.data[k] = (x.data[k] - mean[ch]) * factor + (shift?[ch] ?? 0)
                }
            }
        }
        return y
    }

    private static func linear(_ x: PlainArray, _ weight: PlainArray, _ bias: PlainArray?) -> PlainArray {
        let (n, inputs, outputs) = (x.shape[0], x.shape[1], weight.shape[0])
        precondition(weight.shape == [outputs, inputs], "linear of \(x.shape) with weight \(weight.shape)")
        var y = PlainArray(shape: [n, outputs])
        for b in 0..<n {
            for o in 0..<outputs {
                var sum = bias?.data[o] ?? 0
                for i in 0..<inputs { sum += x.data[b * inputs + i] * weight.data[o * inputs + i] }
                y.data[b * outputs + o] = sum
            }
        }
        return y
    }

    private static func matmul(_ a: PlainArray, _ b: PlainArray) -> PlainArray {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var y = PlainArray(shape: [m, n])
        for i in 0..<m { for j in 0..<n { y.data[i * n + j] = (0..<k).reduce(0) { $0 + a.data[i * k + $1] * b.data[$1 * n + j] } } }
        return y
    }

    private static func pool(_ x: PlainArray, _ p: TraceOp.Pooling) -> PlainArray {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let pad = p.padding
        let oh = (h + pad.top + pad.bottom - p.kernel.height) / p.stride.height + 1
        let ow = (w + pad.left + pad.right - p.kernel.width) / p.stride.width + 1
        var y = PlainArray(shape: [n, c, oh, ow])
        for plane in 0..<n * c {
            for yy in 0..<oh {
                for xx in 0..<ow {
                    var best = -Double.infinity, sum = 0.0, inside = 0
                    for kh in 0..<p.kernel.height {
                        for kw in 0..<p.kernel.width {
                            let iy = yy * p.stride.height - pad.top + kh, ix = xx * p.stride.width - pad.left + kw
                            guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                            let v = x.data[plane * h * w + iy * w + ix]
                            best = max(best, v)
                            sum += v
                            inside += 1
                        }
                    }
                    let out = plane * oh * ow + yy * ow + xx
                    switch p.kind {
                    case .max: y.data[out] = best
                    case .average(let countsPadding):
                        y.data[out] = sum / Double(countsPadding ? p.kernel.height * p.kernel.width : inside)
                    }
                }
            }
        }
        return y
    }

    private static func broadcast(_ a: PlainArray, _ b: PlainArray, _ op: (Double, Double) -> Double) -> PlainArray {
        // Ranks align from the right, as in NumPy and ONNX (a (C, 1, 1) layer scale on (N, C, H, W)).
        precondition(a.shape.count >= b.shape.count, "\(b.shape) does not broadcast to \(a.shape)")
        var b = b
        b.shape = [Int](repeating: 1, count: a.shape.count - b.shape.count) + b.shape
        func strides(_ shape: [Int]) -> [Int] {
            var s = [Int](repeating: 1, count: shape.count)
            for i in stride(from: shape.count - 2, through: 0, by: -1) { s[i] = s[i + 1] * shape[i + 1] }
            return s
        }
        let aStrides = strides(a.shape), bStrides = strides(b.shape)
        var y = a
        for i in 0..<a.data.count {
            var j = 0
            for d in 0..<a.shape.count where b.shape[d] != 1 { j += (i / aStrides[d] % a.shape[d]) * bStrides[d] }
            y.data[i] = op(a.data[i], b.data[j])
        }
        return y
    }

    private static func concat(_ parts: [PlainArray], axis: Int) -> PlainArray {
        var shape = parts[0].shape
        shape[axis] = parts.map { $0.shape[axis] }.reduce(0, +)
        let outer = shape[..<axis].reduce(1, *)
        var data: [Double] = []
        data.reserveCapacity(shape.reduce(1, *))
        for o in 0..<outer {
            for part in parts {
                let inner = part.shape[axis...].reduce(1, *)
                data += part.data[o * inner ..< (o + 1) * inner]
            }
        }
        return PlainArray(shape: shape, data: data)
    }

    static func activation(_ kind: Activation, _ v: Double) -> Double {
        func relu6(_ v: Double) -> Double { min(max(v, 0), 6) }
        switch kind {
        case .relu: return max(v, 0)
        case .relu6: return relu6(v)
        case .sigmoid: return 1 / (1 + exp(-v))
        case .silu: return v / (1 + exp(-v))
        case .hardSwish: return v * relu6(v + 3) / 6
        case .hardSigmoid: return relu6(v + 3) / 6
        case .gelu: return v * (1 + erf(v / 2.0.squareRoot())) / 2
        }
    }

    /// Each pixel's channels normalized (biased variance), then scaled and shifted per channel.
    static func channelLayerNorm(_ x: PlainArray, weight: PlainArray, bias: PlainArray, epsilon: Double) -> PlainArray {
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = x
        for b in 0..<n {
            for i in 0..<hw {
                let values = (0..<c).map { x.data[(b * c + $0) * hw + i] }
                let mean = values.reduce(0, +) / Double(c)
                let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(c)
                for k in 0..<c {
                    y.data[(b * c + k) * hw + i] = (values[k] - mean) / (variance + epsilon).squareRoot() * weight.data[k] + bias.data[k]
                }
            }
        }
        return y
    }
}
