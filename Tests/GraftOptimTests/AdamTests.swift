import GraftCore
import GraftOptim
import XCTest

final class AdamTests: XCTestCase {
    func testFirstStepMovesByTheLearningRateAlongTheGradientSign() {
        let p = parameter([1, 1])
        let adam = Adam(parameters: [("w", p)], learningRate: 0.1)
        setGradient(p, [2, -0.5])
        adam.step()
        // With bias correction the first moments are g and g^2 exactly, so the step is lr * g / (|g| + eps).
        assertClose(p.values, [1 - 0.1 * 2 / (2 + 1e-8), 1 + 0.1 * 0.5 / (0.5 + 1e-8)])
    }

    func testAdamWShrinksBeforeTheAdamStep() {
        let p = parameter([1])
        let adamW = AdamW(parameters: [("w", p)], learningRate: 0.1, weightDecay: 0.1)
        setGradient(p, [3])
        adamW.step()
        // 1 * (1 - 0.1 * 0.1) - 0.1 * 3 / (3 + 1e-8)
        assertClose(p.values, [0.99 - 0.1 * 3 / (3 + 1e-8)])
    }

    func testVariantsFollowPyTorchFormulasOverManySteps() {
        let variants: [(name: String, decoupled: Bool, weightDecay: Float, beta1: Float, beta2: Float)] = [
            ("Adam", false, 0, 0.9, 0.999), ("Adam+L2", false, 0.05, 0.8, 0.99), ("AdamW", true, 0.05, 0.9, 0.999),
        ]
        for variant in variants {
            let initial: [Float] = [0.5, -1.5, 2, 0.25, -0.75, 1]
            let p = parameter(initial, shape: [2, 3])
            let optimizer: Optimizer = variant.decoupled
                ? AdamW(parameters: [("w", p)], learningRate: 0.01, beta1: variant.beta1, beta2: variant.beta2,
                        weightDecay: variant.weightDecay)
                : Adam(parameters: [("w", p)], learningRate: 0.01, beta1: variant.beta1, beta2: variant.beta2,
                       weightDecay: variant.weightDecay)
            var reference = AdamReference(lr: Double(Float(0.01)), beta1: Double(variant.beta1), beta2: Double(variant.beta2),
                                          weightDecay: Double(variant.weightDecay), decoupled: variant.decoupled)
            var expected = initial.map(Double.init)
            for step in 0..<15 {
                let g = (0..<initial.count).map { Float(1.5 * sin(Double(step) * 0.7 + Double($0)) + 0.2) }
                setGradient(p, g)
                optimizer.step()
                reference.step(&expected, g.map(Double.init))
            }
            assertClose(p.values, expected, relative: 1e-6, absolute: 5e-7, variant.name)
        }
    }

    func testAdamWStateDoesNotLoadIntoAdam() {
        let p = parameter([1])
        let adamW = AdamW(parameters: [("w", p)])
        let adam = Adam(parameters: [("w", p)])
        XCTAssertThrowsError(try adam.load(adamW.stateDict())) { error in
            XCTAssertEqual(error as? OptimizerStateError, .wrongOptimizer(expected: "Adam", found: "AdamW"))
        }
    }

    func testDescendsAQuadraticThroughAutodiff() {
        let p = parameter([3, -2, 1, 4])
        let adam = Adam(parameters: [("w", p)], learningRate: 0.1)
        var reference = AdamReference(lr: Double(Float(0.1)), beta1: Double(Float(0.9)), beta2: Double(Float(0.999)),
                                      eps: Double(Float(1e-8)))
        var expected: [Double] = [3, -2, 1, 4]
        for _ in 0..<10 {
            adam.zeroGrad()
            mean(multiply(p, p)).backward()
            adam.step()
            reference.step(&expected, expected.map { 2 * $0 / 4 })
        }
        assertClose(p.values, expected, relative: 1e-4, absolute: 1e-5)
        for (now, before) in zip(p.values, [3, -2, 1, 4] as [Float]) { XCTAssertLessThan(abs(now), abs(before)) }
    }
}
