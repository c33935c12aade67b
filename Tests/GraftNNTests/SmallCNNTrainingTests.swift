@testable import GraftCore
import GraftOptim
import XCTest
@testable import GraftNN

/// conv-BN-ReLU6 three times, global pool, dense: the small CNN.
private func makeSmallCNN(seed: UInt64) -> Sequential {
    var g = SeededGenerator(seed: seed)
    func block(_ cin: Int, _ cout: Int, stride: Int) -> Sequential {
        Sequential([Conv2d(inChannels: cin, outChannels: cout, kernelSize: (3, 3), stride: (stride, stride),
                           padding: .same, bias: false, generator: &g),
                    BatchNorm2d(features: cout, epsilon: 1e-3), ActivationLayer(.relu6)])
    }
    return Sequential([block(3, 12, stride: 1), block(12, 20, stride: 2), block(20, 24, stride: 1),
                       GlobalAvgPool2d(), Linear(inFeatures: 24, outFeatures: SyntheticStripes.classes, generator: &g)])
}

private func accuracy(_ model: Module, _ data: (images: Tensor, labels: [Int])) -> Double {
    let logits = GradMode.withoutGradients { model(data.images, context: .inference) }
    let k = logits.shape[1], v = logits.values
    var correct = 0
    for (i, label) in data.labels.enumerated() {
        let row = v[(i * k)..<((i + 1) * k)]
        if row.firstIndex(of: row.max()!)! - i * k == label { correct += 1 }
    }
    return Double(correct) / Double(data.labels.count)
}

private func train(_ model: Sequential, epochs: Int, learningRate: Float = 0.01) {
    var g = SeededGenerator(seed: 42)
    let batches = (0..<12).map { _ in SyntheticStripes.batch(count: 32, generator: &g) }
    let optimizer = Adam(groups: [ParameterGroup(name: "all", parameters: model.namedParameters())],
                         learningRate: learningRate)
    let context = ForwardContext(training: true, seed: 7)
    for _ in 0..<epochs {
        for batch in batches {
            optimizer.zeroGrad()
            let loss = softmaxCrossEntropy(model(batch.images, context: context), labels: batch.labels)
            loss.backward()
            optimizer.step()
        }
    }
}

final class SmallCNNTrainingTests: XCTestCase {
    func testTrainsToHighAccuracyWithAdam() {
        let model = makeSmallCNN(seed: 1)
        var g = SeededGenerator(seed: 1234)
        let heldOut = SyntheticStripes.batch(count: 200, generator: &g)
        let before = accuracy(model, heldOut)
        train(model, epochs: 8)
        let after = accuracy(model, heldOut)
        print("small CNN held-out accuracy: \(before) before training, \(after) after 8 epochs")
        XCTAssertGreaterThanOrEqual(after, 0.95, "held-out accuracy \(after) (before training: \(before))")
    }

    /// Warm steps create no oneDNN primitive and take no buffer from the system: the pool serves them.
    ///
    /// The pool starts empty: idle buffers left by earlier tests (close to the pool's capacity, or
    /// of sizes that fit a request loosely) would make the count depend on which tests ran first.
    func testWarmTrainingStepCreatesNoPrimitiveAndAllocatesNothing() {
        BufferPool.shared.drain()
        let model = makeSmallCNN(seed: 5)
        var g = SeededGenerator(seed: 5)
        let batch = SyntheticStripes.batch(count: 8, generator: &g)
        let optimizer = Adam(parameters: model.namedParameters(), learningRate: 1e-3)
        let context = ForwardContext(training: true)
        func step() {
            optimizer.zeroGrad()
            softmaxCrossEntropy(model(batch.images, context: context), labels: batch.labels).backward()
            optimizer.step()
        }
        step()
        step()
        let created = PrimitiveCache.shared.creations, allocated = BufferPool.shared.freshAllocations
        step()
        step()
        XCTAssertEqual(PrimitiveCache.shared.creations, created)
        XCTAssertEqual(BufferPool.shared.freshAllocations, allocated)
    }

    /// The record keeps what backward rules need (a convolution its input, ReLU6 its output), not
    /// the tensors themselves: a BatchNorm output that only fed a ReLU6 is freed during the forward
    /// pass, and everything saved is freed by `backward()`.
    func testRecordKeepsOnlyWhatBackwardNeedsAndBackwardFreesIt() {
        let model = makeSmallCNN(seed: 6)
        var g = SeededGenerator(seed: 6)
        let batch = SyntheticStripes.batch(count: 4, generator: &g)
        weak var hidden: Tensor?, hiddenStorage: Storage?, normOutput: Storage?
        let loss: Tensor = {
            let block = model.children[0].module.children.map(\.module)
            let training = ForwardContext(training: true)
            let normalized = block[1](block[0](batch.images, context: training), context: training)
            normOutput = normalized.storage
            let features = block[2](normalized, context: training)
            hidden = features
            hiddenStorage = features.storage
            let rest = Sequential(Array(model.children.dropFirst().map(\.module)))
            return softmaxCrossEntropy(rest(features, context: training), labels: batch.labels)
        }()
        XCTAssertNil(normOutput, "the BatchNorm output outlived the forward pass though no backward rule needs it")
        XCTAssertNil(hidden, "the record keeps tensors alive rather than what backward needs")
        XCTAssertNotNil(hiddenStorage, "ReLU6 and the next convolution need this for backward")
        loss.backward()
        XCTAssertNil(hiddenStorage, "a saved value outlived backward()")
    }

    func testFrozenBlocksStayBitForBitAndCostNoBackward() {
        let model = makeSmallCNN(seed: 1)
        model.freeze(["0", "1"])
        for path in ["0.1", "1.1"] { (model.child(at: path) as! BatchNorm2d).usesRunningStatistics = true }
        let frozen = model.stateTensors().filter { $0.name.hasPrefix("0.") || $0.name.hasPrefix("1.") }
        let before = frozen.map { $0.tensor.values }
        let trainable = model.namedParameters().filter { !($0.name.hasPrefix("0.") || $0.name.hasPrefix("1.")) }
        let trainableBefore = trainable.map { $0.tensor.values }

        AutodiffStats.shared.reset()
        train(model, epochs: 1)
        let steps = 12

        for ((name, tensor), old) in zip(frozen, before) {
            XCTAssertEqual(tensor.values.map(\.bitPattern), old.map(\.bitPattern), "\(name) changed")
            XCTAssertNil(tensor.grad, "\(name) received a gradient")
        }
        XCTAssertTrue(zip(trainable, trainableBefore).allSatisfy { $0.tensor.values != $1 }, "the trainable part did not train")
        let stats = AutodiffStats.shared
        // Only block 3 and the head leave a record: one convolution, one BatchNorm, one ReLU6.
        XCTAssertEqual(stats.recorded["conv2d"], steps)
        XCTAssertEqual(stats.recorded["batchNorm"], steps)
        XCTAssertEqual(stats.recorded["relu6"], steps)
        XCTAssertEqual(stats.recorded["linear"], steps)
        // Block 3's input comes from frozen layers, so no gradient flows into them at all.
        XCTAssertNil(stats.kernels["conv2d.backwardData"])
        XCTAssertEqual(stats.kernels["conv2d.backwardWeights"], steps)
    }
}
