import GraftCore
import XCTest
@testable import GraftNN

final class ModuleTests: XCTestCase {
    private func smallNet() -> Sequential {
        var g = SeededGenerator(seed: 3)
        return Sequential([
            Sequential([Conv2d(inChannels: 3, outChannels: 8, kernelSize: (3, 3), padding: .same, bias: false, generator: &g),
                        BatchNorm2d(features: 8), ActivationLayer(.relu6)]),
            GlobalAvgPool2d(),
            Linear(inFeatures: 8, outFeatures: 4, generator: &g),
        ])
    }

    func testParameterNamesFollowPyTorchKeys() {
        let names = smallNet().stateTensors().map(\.name)
        XCTAssertEqual(names, ["0.0.weight", "0.1.weight", "0.1.bias", "2.weight", "2.bias",
                               "0.1.running_mean", "0.1.running_var"])
    }

    func testTrainableAndNonTrainableCountsLikeKeras() {
        let net = smallNet()
        // conv 8*3*3*3 = 216, bn 8 + 8, linear 8*4 + 4 = 36; buffers 16.
        XCTAssertEqual(net.parameterCounts.trainable, 216 + 16 + 36)
        XCTAssertEqual(net.parameterCounts.nonTrainable, 16)
        net.freeze(["0"])
        XCTAssertEqual(net.parameterCounts.trainable, 36)
        XCTAssertEqual(net.parameterCounts.nonTrainable, 216 + 16 + 16)
        net.unfreeze(["0.1"])
        XCTAssertEqual(net.parameterCounts.trainable, 36 + 16)
    }

    func testPrefixMatchingRespectsDots() {
        XCTAssertTrue(matches("blocks.1.conv.weight", "blocks.1"))
        XCTAssertFalse(matches("blocks.10.conv.weight", "blocks.1"))
        XCTAssertTrue(matches("blocks.1", "blocks.1"))
    }

    func testChildLookupByPath() {
        let net = smallNet()
        XCTAssertTrue(net.child(at: "0.1") is BatchNorm2d)
        XCTAssertNil(net.child(at: "7"))
    }

    func testForwardShapes() {
        let net = smallNet()
        var g = SeededGenerator(seed: 1)
        let x = Tensor.normal([2, 3, 9, 7], generator: &g)
        XCTAssertEqual(net(x, context: .inference).shape, [2, 4])
    }

    func testBatchNormWithRunningStatisticsLeavesThemUntouchedInTraining() {
        let bn = BatchNorm2d(features: 5)
        bn.usesRunningStatistics = true
        var g = SeededGenerator(seed: 2)
        let x = Tensor.normal([4, 5, 3, 3], mean: 2, generator: &g)
        let y = bn(x, context: ForwardContext(training: true))
        XCTAssertEqual(bn.runningMean.values, [Float](repeating: 0, count: 5))
        XCTAssertEqual(bn.runningVar.values, [Float](repeating: 1, count: 5))
        // Inference normalization with mean 0, var 1: y = x / sqrt(1 + eps).
        let expected = x.values.map { $0 / (1 + bn.epsilon).squareRoot() }
        for (a, b) in zip(y.values, expected) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testDropoutOnlyInTraining() {
        let layer = Dropout(0.5)
        let x = Tensor.ones([4, 100])
        XCTAssertEqual(layer(x, context: .inference).values, x.values)
        let y = layer(x, context: ForwardContext(training: true, seed: 9)).values
        XCTAssertTrue(y.allSatisfy { $0 == 0 || $0 == 2 })
        XCTAssertTrue(y.contains(0) && y.contains(2))
    }
}
