@testable import GraftCore
import XCTest

final class AutodiffTests: XCTestCase {
    /// Gradients add up over two backward passes until zeroGrad clears them.
    func testGradientsAccumulateAndZeroGradClears() {
        var g = SeededGenerator(seed: 111)
        let x = Tensor(shape: [2, 3, 5, 5], values: g.normals(150), requiresGrad: true)
        let w = Tensor(shape: [16, 3, 3, 3], values: g.normals(432, std: 0.3), requiresGrad: true)
        let b = Tensor(shape: [16], values: g.normals(16), requiresGrad: true)
        let dy = Tensor(shape: [2, 16, 3, 3], values: g.normals(288))
        func pass() { sigmoid(conv2d(x, weight: w, bias: b)).backward(gradient: dy) }

        pass()
        let first = [x, w, b].map { $0.grad!.values }
        pass()
        for (t, once) in zip([x, w, b], first) {
            assertMatchesReference(t.grad!.values, RefTensor(shape: t.shape, data: once.map { 2 * Double($0) }), "two passes")
        }
        for t in [x, w, b] { t.zeroGrad() }
        XCTAssertTrue([x, w, b].allSatisfy { $0.grad == nil }, "zeroGrad left a gradient")
        pass()
        for (t, once) in zip([x, w, b], first) {
            assertMatchesReference(t.grad!.values, RefTensor(shape: t.shape, floats: once), "after zeroGrad")
        }
    }

    /// A tensor used by two ops gets the sum of both gradients, through blocked intermediates.
    func testFanOutSums() {
        var g = SeededGenerator(seed: 112)
        let x = Tensor(shape: [1, 16, 3, 3], values: g.normals(144), requiresGrad: true)
        let w = Tensor(shape: [16, 16, 1, 1], values: g.normals(256, std: 0.3))
        let h = conv2d(x, weight: w)
        mean(add(multiply(h, h), h)).backward()
        // d/dh mean(h * h + h) = (2 h + 1) / count; then through the 1x1 conv: w^T.
        let hv = h.values.map(Double.init), wv = w.values.map(Double.init)
        var expected = [Double](repeating: 0, count: 144)
        for ci in 0..<16 { for co in 0..<16 { for p in 0..<9 {
            expected[ci * 9 + p] += wv[co * 16 + ci] * (2 * hv[co * 9 + p] + 1) / 144
        } } }
        assertMatchesReference(x.grad!.values, RefTensor(shape: x.shape, data: expected))
    }

    /// Ops whose inputs need no gradient record nothing and give results that need none.
    func testNoRecordWithoutGradients() {
        var g = SeededGenerator(seed: 113)
        let x = Tensor(shape: [2, 16, 4, 4], values: g.normals(512))
        let w = Tensor(shape: [16, 16, 3, 3], values: g.normals(2304, std: 0.1))
        let fc = Tensor(shape: [3, 16], values: g.normals(48))
        AutodiffStats.shared.reset()
        let outputs = allOps(x, w, fc, &g)
        XCTAssertEqual(AutodiffStats.shared.recorded, [:], "ops on tensors needing no gradient recorded nodes")
        for (name, y) in outputs {
            XCTAssertFalse(y.requiresGrad, "\(name) result requires a gradient")
            XCTAssertNil(y.gradNode, "\(name) result has a node")
        }
    }

    /// Inside withoutGradients, even parameters that need gradients leave no record.
    func testWithoutGradientsRecordsNothing() {
        var g = SeededGenerator(seed: 114)
        let x = Tensor(shape: [2, 16, 4, 4], values: g.normals(512), requiresGrad: true)
        let w = Tensor(shape: [16, 16, 3, 3], values: g.normals(2304, std: 0.1), requiresGrad: true)
        let fc = Tensor(shape: [3, 16], values: g.normals(48), requiresGrad: true)
        AutodiffStats.shared.reset()
        let outputs = GradMode.withoutGradients { allOps(x, w, fc, &g) }
        XCTAssertTrue(GradMode.isEnabled, "withoutGradients did not restore the mode")
        XCTAssertEqual(AutodiffStats.shared.recorded, [:])
        for (name, y) in outputs { XCTAssertFalse(y.requiresGrad, "\(name) result requires a gradient") }
        // And the same ops do record outside it.
        _ = allOps(x, w, fc, &g)
        XCTAssertFalse(AutodiffStats.shared.recorded.isEmpty)
    }

    /// A frozen input skips the data gradient; frozen weights skip the weight gradient.
    func testFrozenOperandsSkipTheirKernels() {
        var g = SeededGenerator(seed: 115)
        let x = Tensor(shape: [1, 5, 4, 4], values: g.normals(80))
        let w = Tensor(shape: [12, 5, 3, 3], values: g.normals(540, std: 0.3), requiresGrad: true)
        AutodiffStats.shared.reset()
        mean(conv2d(x, weight: w)).backward()
        XCTAssertNil(AutodiffStats.shared.kernels["conv2d.backwardData"], "backward-data ran for an input needing no gradient")
        XCTAssertEqual(AutodiffStats.shared.kernels["conv2d.backwardWeights"], 1)
        XCTAssertNotNil(w.grad)

        let xg = Tensor(shape: [1, 5, 4, 4], values: g.normals(80), requiresGrad: true)
        let frozenW = Tensor(shape: [12, 5, 3, 3], values: g.normals(540, std: 0.3))
        AutodiffStats.shared.reset()
        mean(conv2d(xg, weight: frozenW, bias: Tensor.zeros([12]))).backward()
        XCTAssertNil(AutodiffStats.shared.kernels["conv2d.backwardWeights"], "backward-weights ran for frozen weights")
        XCTAssertEqual(AutodiffStats.shared.kernels["conv2d.backwardData"], 1)
        XCTAssertNil(frozenW.grad)
    }

    /// A frozen backbone under a trainable head: only the head's ops are recorded and run.
    func testFrozenBackboneRecordsOnlyTheHead() {
        var g = SeededGenerator(seed: 116)
        let x = Tensor(shape: [2, 3, 6, 6], values: g.normals(216))
        let w = Tensor(shape: [16, 3, 3, 3], values: g.normals(432, std: 0.3))
        let fc = Tensor(shape: [4, 16], values: g.normals(64), requiresGrad: true)
        AutodiffStats.shared.reset()
        let features = globalAvgPool2d(relu(conv2d(x, weight: w, padding: .same)))
        let loss = softmaxCrossEntropy(linear(features, weight: fc), labels: [1, 3])
        loss.backward()
        XCTAssertEqual(AutodiffStats.shared.recorded, ["linear": 1, "softmaxCrossEntropy": 1])
        XCTAssertEqual(AutodiffStats.shared.executed, ["linear": 1, "softmaxCrossEntropy": 1])
        XCTAssertNotNil(fc.grad)
    }

    /// Detached values carry no gradient back.
    func testDetached() {
        let x = Tensor(shape: [3], values: [1, 2, 3], requiresGrad: true)
        mean(multiply(x, x.detached())).backward()
        assertMatchesReference(x.grad!.values, RefTensor(shape: [3], data: [1.0 / 3, 2.0 / 3, 1]))
    }

    /// A second identical forward and backward creates no new oneDNN primitive.
    func testPrimitiveCacheStaysFlat() {
        var g = SeededGenerator(seed: 117)
        let x = Tensor(shape: [2, 3, 9, 7], values: g.normals(378))
        let w1 = Tensor(shape: [16, 3, 3, 3], values: g.normals(432, std: 0.3), requiresGrad: true)
        let scale = Tensor.ones([16], requiresGrad: true), shift = Tensor.zeros([16], requiresGrad: true)
        let runningMean = Tensor.zeros([16]), runningVar = Tensor.ones([16])
        let dw = Tensor(shape: [16, 1, 3, 3], values: g.normals(144, std: 0.3), requiresGrad: true)
        let se = Tensor(shape: [2, 16, 1, 1], values: g.normals(32), requiresGrad: true)
        let fc = Tensor(shape: [5, 32], values: g.normals(160, std: 0.3), requiresGrad: true)
        let b = Tensor.zeros([5], requiresGrad: true)
        func step(_ generator: inout SeededGenerator) {
            var h = conv2d(x, weight: w1, stride: (2, 2), padding: .same)
            h = batchNorm(h, scale: scale, shift: shift, runningMean: runningMean, runningVar: runningVar, training: true)
            h = hardSwish(relu6(h))
            h = conv2d(h, weight: dw, padding: .same, groups: 16)
            h = add(multiply(h, sigmoid(se)), h)
            h = maxPool2d(avgPool2d(h, kernel: (2, 2), stride: (1, 1)), kernel: (2, 2))
            h = dropout(silu(concatChannels([h, h])), p: 0.2, training: true, generator: &generator)
            let logits = linear(flatten(globalAvgPool2d(h)), weight: fc, bias: b)
            let loss = add(softmaxCrossEntropy(logits, labels: [0, 4]), mean(matmul(logits, fc)))
            loss.backward()
        }
        var generator = SeededGenerator(seed: 118)
        step(&generator)
        let created = PrimitiveCache.shared.creations
        step(&generator)
        XCTAssertEqual(PrimitiveCache.shared.creations, created, "the second identical step created primitives")
    }

    /// One of every op on the given tensors (x: (2, 16, 4, 4), w: (16, 16, 3, 3), fc: (3, 16)).
    private func allOps(_ x: Tensor, _ w: Tensor, _ fc: Tensor, _ g: inout SeededGenerator) -> [(String, Tensor)] {
        let c = conv2d(x, weight: w, bias: Tensor.zeros([16]), padding: .same)
        let scale = Tensor.ones([16], requiresGrad: fc.requiresGrad)
        let bn = batchNorm(c, scale: scale, shift: Tensor.zeros([16]), runningMean: Tensor.zeros([16]),
                           runningVar: Tensor.ones([16]), training: true)
        let pooled = globalAvgPool2d(bn)
        let logits = linear(pooled, weight: fc)
        return [("conv2d", c), ("batchNorm", bn), ("relu", relu(bn)), ("hardSwish", hardSwish(x)),
                ("add", add(x, c)), ("multiply", multiply(c, Tensor.ones([1, 16, 1, 1]))),
                ("maxPool2d", maxPool2d(x, kernel: (2, 2))), ("avgPool2d", avgPool2d(c, kernel: (3, 3), countPadding: false)),
                ("globalAvgPool2d", pooled), ("linear", logits), ("matmul", matmul(pooled, reshape(fc, [16, 3]))),
                ("dropout", dropout(x, p: 0.5, training: true, generator: &g)), ("flatten", flatten(c)),
                ("concatChannels", concatChannels([x, c])), ("softmaxCrossEntropy", softmaxCrossEntropy(logits, labels: [0, 2])),
                ("mean", mean(c))]
    }
}

final class GradientReadyTests: XCTestCase {
    func testEachLeafIsReportedOnceWhenItsGradientIsFinalAndFrozenOnesNever() {
        let w = Tensor(shape: [3], values: [1, 2, 3])
        w.requiresGrad = true
        let b = Tensor(shape: [3], values: [0.5, -1, 2])
        b.requiresGrad = true
        let frozen = Tensor(shape: [3], values: [4, 5, 6])
        let x = Tensor(shape: [3], values: [2, 3, 4])
        // w is used twice: its gradient is final only after both uses have run.
        let y = add(add(multiply(w, x), w), add(b, frozen))
        let loss = mean(multiply(y, y))
        var reported: [(Tensor, [Float])] = []
        loss.backward { reported.append(($0, $0.grad!.values)) }
        XCTAssertEqual(reported.count, 2)
        XCTAssertTrue(reported.contains { $0.0 === w } && reported.contains { $0.0 === b })
        XCTAssertFalse(reported.contains { $0.0 === frozen || $0.0 === x })
        for (tensor, gradient) in reported { XCTAssertEqual(gradient, tensor.grad!.values, "reported before it was final") }
    }
}
