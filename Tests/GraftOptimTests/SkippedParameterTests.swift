import GraftCore
import GraftOptim
import XCTest

/// Frozen parameters and parameters the loss did not reach must come out untouched.
final class SkippedParameterTests: XCTestCase {
    private func optimizers(_ parameters: [(name: String, tensor: Tensor)]) -> [Optimizer] {
        [SGD(parameters: parameters, learningRate: 0.1, momentum: 0.9, weightDecay: 0.1),
         Adam(parameters: parameters, learningRate: 0.1, weightDecay: 0.1),
         AdamW(parameters: parameters, learningRate: 0.1, weightDecay: 0.1)]
    }

    func testFrozenAndGradientlessParametersStayBitForBitAndGetNoState() {
        for index in 0..<3 {
            let trained = parameter([1, 2])
            let frozen = parameter([0.1, -0.0, .leastNonzeroMagnitude])
            let unreached = parameter([3, -4])
            // A stale gradient on a parameter frozen afterwards must not be applied either.
            setGradient(frozen, [5, 5, 5])
            frozen.requiresGrad = false
            let optimizer = optimizers([("trained", trained), ("frozen", frozen), ("unreached", unreached)])[index]
            let frozenBefore = bits(frozen), unreachedBefore = bits(unreached)
            for _ in 0..<3 {
                setGradient(trained, [1, -1])
                optimizer.step()
            }
            XCTAssertEqual(bits(frozen), frozenBefore, "\(type(of: optimizer))")
            XCTAssertEqual(bits(unreached), unreachedBefore, "\(type(of: optimizer))")
            XCTAssertNotEqual(trained.values, [1, 2])
            XCTAssertEqual(Set(optimizer.stateDict().parameters.keys), ["default/trained"], "\(type(of: optimizer))")
        }
    }

    func testStepCountPausesWhileFrozen() {
        let p = parameter([1, -1])
        let adam = Adam(parameters: [("w", p)], learningRate: 0.05)
        var reference = AdamReference(lr: Double(Float(0.05)), beta1: Double(Float(0.9)), beta2: Double(Float(0.999)))
        var expected: [Double] = [1, -1]
        let gradients: [[Float]] = [[1, 2], [0.5, -1], [2, 2], [-1, 0.5]]
        for (step, g) in gradients.enumerated() {
            setGradient(p, g)
            // Frozen for two steps in the middle: those steps must not count for bias correction.
            p.requiresGrad = !(step == 1 || step == 2)
            adam.step()
            if p.requiresGrad { reference.step(&expected, g.map(Double.init)) }
            p.requiresGrad = true
        }
        XCTAssertEqual(adam.stateDict().parameters["default/w"]?.step, 2)
        assertClose(p.values, expected)
    }

    func testZeroGradForgetsEveryGradient() {
        let a = parameter([1]), b = parameter([2])
        let sgd = SGD(groups: [ParameterGroup(name: "a", tensors: [a]), ParameterGroup(name: "b", tensors: [b])],
                      learningRate: 0.1)
        setGradient(a, [1])
        setGradient(b, [1])
        sgd.zeroGrad()
        XCTAssertNil(a.grad)
        XCTAssertNil(b.grad)
    }
}
