/// One op at one realistic CNN shape (batch 32), timed forward and backward.
public struct OpBenchmarkCase {
    public let name: String
    public let shape: String
    /// Floating-point operations of the forward pass (0 for memory-bound ops).
    let forwardFlops: Double
    /// Bytes the forward pass must read and write at least (for memory-bound ops).
    let forwardBytes: Double
    /// Backward does about this many times the forward work.
    let backwardFactor: Double
    let inputs: (inout SeededGenerator) -> [Tensor]
    let op: ([Tensor]) -> Tensor
}

public struct OpBenchmarkResult: Codable {
    public let op: String
    public let shape: String
    public let forwardMs: Double
    public let backwardMs: Double
    /// GFLOP/s for compute-bound ops, GB/s for memory-bound ones.
    public let forwardRate: Double
    public let backwardRate: Double
    public let unit: String
}

/// `graft bench ops`: each op forward and backward at the shapes of MobileNetV2 and
/// EfficientNet-Lite0 training at batch 32.
public enum OpBenchmark {
    public static func run(batch: Int = 32, iterations: Int = 10, filter: String? = nil,
                           progress: (OpBenchmarkResult) -> Void = { _ in }) -> [OpBenchmarkResult] {
        var generator = SeededGenerator(seed: 1)
        var results: [OpBenchmarkResult] = []
        for c in cases(batch: batch) where filter.map({ c.name.contains($0) }) ?? true {
            let inputs = c.inputs(&generator)
            for t in inputs { t.requiresGrad = true }
            let sample = c.op(inputs)
            let dy = Tensor.uniform(sample.shape, low: -1, high: 1, generator: &generator)
            let forward = medianMilliseconds(iterations: iterations) { _ = c.op(inputs) }
            // The op's own backward rule, without the gradient bookkeeping of leaves around it.
            // The incoming gradient arrives in the layout of the op's output, as it would in a network;
            // the timing covers the op's backward rules, not the bookkeeping of leaf gradients.
            let root = sample.gradNode!, dyStorage = dy.storage.reordered(to: sample.storage.layout)
            let backward = medianMilliseconds(iterations: iterations) {
                propagate(from: root, seed: dyStorage, releasing: false) { _, _ in }
            }
            let computeBound = c.forwardFlops > 0
            let work = computeBound ? c.forwardFlops : c.forwardBytes
            let result = OpBenchmarkResult(
                op: c.name, shape: c.shape, forwardMs: forward, backwardMs: backward,
                forwardRate: work / forward / 1e6, backwardRate: work * c.backwardFactor / backward / 1e6,
                unit: computeBound ? "GFLOP/s" : "GB/s")
            results.append(result)
            progress(result)
        }
        return results
    }

    static func cases(batch n: Int) -> [OpBenchmarkCase] {
        func conv(_ name: String, c: Int, hw: Int, o: Int, k: Int, stride: Int = 1, groups: Int = 1) -> OpBenchmarkCase {
            let ohw = (hw + stride - 1) / stride
            let flops = 2.0 * Double(n * o * ohw * ohw) * Double(c / groups * k * k)
            return OpBenchmarkCase(
                name: name, shape: "\(n)x\(c)x\(hw)x\(hw) k\(k) s\(stride) -> \(o)", forwardFlops: flops, forwardBytes: 0,
                backwardFactor: 2,
                inputs: { g in [Tensor.normal([n, c, hw, hw], generator: &g),
                                Tensor.normal([o, c / groups, k, k], std: 0.1, generator: &g),
                                Tensor.zeros([o])] },
                op: { conv2d($0[0], weight: $0[1], bias: $0[2], stride: (stride, stride), padding: .same, groups: groups) })
        }
        func memoryBound(_ name: String, _ shape: [Int], tensors: Double, extra: [[Int]] = [],
                         _ op: @escaping ([Tensor]) -> Tensor) -> OpBenchmarkCase {
            let bytes = Double(shape.reduce(1, *)) * 4 * tensors
            return OpBenchmarkCase(
                name: name, shape: shape.map(String.init).joined(separator: "x"), forwardFlops: 0, forwardBytes: bytes,
                backwardFactor: 1.5,
                inputs: { g in ([shape] + extra).map { dims in
                    let t = Tensor.normal(dims, generator: &g)
                    // Inside a network these ops read a convolution's output, in the blocked layout.
                    return dims.count == 4 ? t.blocked() : t
                } },
                op: op)
        }
        let act = [n, 144, 56, 56]
        return [
            conv("conv 3x3 stem", c: 3, hw: 224, o: 32, k: 3, stride: 2),
            conv("conv 1x1 expand", c: 24, hw: 56, o: 144, k: 1),
            conv("conv 1x1 project", c: 144, hw: 56, o: 24, k: 1),
            conv("conv 3x3 dense", c: 64, hw: 56, o: 64, k: 3),
            conv("depthwise 3x3", c: 144, hw: 56, o: 144, k: 3, groups: 144),
            conv("depthwise 3x3 s2", c: 144, hw: 56, o: 144, k: 3, stride: 2, groups: 144),
            conv("depthwise 5x5", c: 240, hw: 28, o: 240, k: 5, groups: 240),
            conv("depthwise 5x5 s2", c: 240, hw: 28, o: 240, k: 5, stride: 2, groups: 240),
            OpBenchmarkCase(
                name: "batchNorm train", shape: "\(n)x144x56x56", forwardFlops: 0,
                forwardBytes: Double(act.reduce(1, *)) * 4 * 3, backwardFactor: 1.5,
                inputs: { g in [Tensor.normal(act, generator: &g).blocked(), Tensor.ones([144]), Tensor.zeros([144])] },
                op: { batchNorm($0[0], scale: $0[1], shift: $0[2], runningMean: Tensor.zeros([144]),
                                runningVar: Tensor.ones([144]), training: true) }),
            OpBenchmarkCase(
                name: "batchNorm frozen stats", shape: "\(n)x144x56x56", forwardFlops: 0,
                forwardBytes: Double(act.reduce(1, *)) * 4 * 2, backwardFactor: 1.5,
                inputs: { g in [Tensor.normal(act, generator: &g).blocked(), Tensor.ones([144]), Tensor.zeros([144])] },
                op: { batchNorm($0[0], scale: $0[1], shift: $0[2], runningMean: Tensor.zeros([144]),
                                runningVar: Tensor.ones([144]), training: false) }),
            memoryBound("relu6", act, tensors: 2) { relu6($0[0]) },
        ] + [[n, 96, 112, 112], act, [n, 1152, 7, 7]].flatMap { shape -> [OpBenchmarkCase] in
            // BatchNorm in training then ReLU6, as every expansion and depthwise stage of MobileNetV2
            // and EfficientNet-Lite0 trains: oneDNN's two ops one after the other, and Graft's kernel.
            let c = shape[1]
            let running = (mean: Tensor.zeros([c]), variance: Tensor.ones([c]))
            return [
                memoryBound("batchNorm train, relu6", shape, tensors: 5, extra: [[c], [c]]) { t in
                    relu6(batchNorm(t[0], scale: t[1], shift: t[2], runningMean: running.mean, runningVar: running.variance,
                                    training: true))
                },
                memoryBound("batchNorm+relu6 train", shape, tensors: 3, extra: [[c], [c]]) { t in
                    batchNorm(t[0], scale: t[1], shift: t[2], runningMean: running.mean, runningVar: running.variance,
                              training: true, activation: .relu6)
                },
            ]
        } + [
            memoryBound("silu", act, tensors: 2) { silu($0[0]) },
            memoryBound("add (residual)", [n, 24, 56, 56], tensors: 3, extra: [[n, 24, 56, 56]]) { add($0[0], $0[1]) },
            memoryBound("multiply (squeeze-excite)", [n, 240, 28, 28], tensors: 2, extra: [[n, 240, 1, 1]]) {
                multiply($0[0], $0[1]) },
            memoryBound("maxPool 3x3 s2", [n, 64, 112, 112], tensors: 1.25) {
                maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: .symmetric(height: 1, width: 1)) },
            memoryBound("globalAvgPool", [n, 1280, 7, 7], tensors: 1) { globalAvgPool2d($0[0]) },
            memoryBound("concat channels", [n, 64, 56, 56], tensors: 4, extra: [[n, 64, 56, 56]]) { concatChannels($0) },
            memoryBound("dropout", [n, 1280], tensors: 3) { t in
                var g = SeededGenerator(seed: 2)
                return dropout(t[0], p: 0.2, training: true, generator: &g) },
            OpBenchmarkCase(
                name: "linear", shape: "\(n)x1280 -> 1000", forwardFlops: 2.0 * Double(n * 1280 * 1000), forwardBytes: 0,
                backwardFactor: 2,
                inputs: { g in [Tensor.normal([n, 1280], generator: &g), Tensor.normal([1000, 1280], std: 0.03, generator: &g),
                                Tensor.zeros([1000])] },
                op: { linear($0[0], weight: $0[1], bias: $0[2]) }),
            memoryBound("softmaxCrossEntropy", [n, 1000], tensors: 1) { t in
                softmaxCrossEntropy(t[0], labels: (0..<n).map { $0 % 1000 }, labelSmoothing: 0.1) },
            memoryBound("mean", act, tensors: 1) { mean($0[0]) },
        ]
    }
}

