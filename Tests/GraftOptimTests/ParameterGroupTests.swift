import GraftCore
import GraftOptim
import XCTest

final class ParameterGroupTests: XCTestCase {
    func testEachGroupUsesItsOwnLearningRate() {
        let backbone = parameter([1]), head = parameter([1]), fixed = parameter([1])
        let sgd = SGD(groups: [
            ParameterGroup(name: "backbone", parameters: [(name: "w", tensor: backbone)], learningRate: .scaled(0.1)),
            ParameterGroup(name: "head", parameters: [(name: "w", tensor: head)]),
            ParameterGroup(name: "fixed", parameters: [(name: "w", tensor: fixed)], learningRate: .absolute(0.05)),
        ], learningRate: 0.5)
        XCTAssertEqual(sgd.learningRate(ofGroup: "backbone")!, 0.05, accuracy: 1e-7)
        XCTAssertEqual(sgd.learningRate(ofGroup: "head"), 0.5)
        XCTAssertEqual(sgd.learningRate(ofGroup: "fixed")!, 0.05, accuracy: 1e-7)
        for p in [backbone, head, fixed] { setGradient(p, [1]) }
        sgd.step()
        assertClose(backbone.values, [0.95])
        assertClose(head.values, [0.5])
        assertClose(fixed.values, [0.95])
    }

    func testSettingTheLearningRateScalesEveryGroup() {
        let backbone = parameter([1]), head = parameter([1])
        let adam = Adam(groups: [
            ParameterGroup(name: "backbone", tensors: [backbone], learningRate: .absolute(1e-4)),
            ParameterGroup(name: "head", tensors: [head]),
        ], learningRate: 1e-3)
        adam.learningRate = 2e-3
        XCTAssertEqual(adam.learningRate(ofGroup: "backbone")!, 2e-4, accuracy: 1e-10)
        XCTAssertEqual(adam.learningRate(ofGroup: "head")!, 2e-3, accuracy: 1e-10)
        setGradient(backbone, [1])
        setGradient(head, [1])
        adam.step()
        // Adam's first step moves by the learning rate itself.
        assertClose(backbone.values, [1 - 2e-4], relative: 1e-6, absolute: 1e-8)
        assertClose(head.values, [1 - 2e-3], relative: 1e-6, absolute: 1e-8)
    }

    func testGroupWeightDecayOverridesTheOptimizerDefault() {
        let decayed = parameter([2]), exempt = parameter([2])
        let adamW = AdamW(groups: [
            ParameterGroup(name: "weights", tensors: [decayed]),
            ParameterGroup(name: "norms", tensors: [exempt], weightDecay: 0),
        ], learningRate: 0.1, weightDecay: 0.5)
        XCTAssertEqual(adamW.groups.map(\.weightDecay), [0.5, 0])
        setGradient(decayed, [1])
        setGradient(exempt, [1])
        adamW.step()
        assertClose(decayed.values, [2 * (1 - 0.05) - 0.1 / (1 + 1e-8)])
        assertClose(exempt.values, [2 - 0.1 / (1 + 1e-8)])
    }

    func testUnnamedTensorsAreKeyedByPosition() {
        let a = parameter([1]), b = parameter([2])
        let group = ParameterGroup(name: "g", tensors: [a, b])
        XCTAssertEqual(group.parameters.map(\.name), ["0", "1"])
        XCTAssertEqual(group.stateKey(of: "1"), "g/1")
    }
}
