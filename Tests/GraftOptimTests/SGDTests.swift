import GraftCore
import GraftOptim
import XCTest

final class SGDTests: XCTestCase {
    func testPlainStepMatchesHandComputedValue() {
        let p = parameter([1, -2])
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1)
        setGradient(p, [0.5, -1])
        sgd.step()
        // p - lr * g
        assertClose(p.values, [0.95, -1.9])
    }

    func testWeightDecayIsAddedToTheGradient() {
        let p = parameter([2])
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, weightDecay: 0.5)
        setGradient(p, [1])
        sgd.step()
        // d = 1 + 0.5 * 2 = 2, p = 2 - 0.1 * 2
        assertClose(p.values, [1.8])
    }

    func testMomentumStartsFromTheFirstGradient() {
        let p = parameter([1])
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9)
        setGradient(p, [1])
        sgd.step()
        // buffer = 1, p = 1 - 0.1
        assertClose(p.values, [0.9])
        setGradient(p, [1])
        sgd.step()
        // buffer = 0.9 * 1 + 1 = 1.9, p = 0.9 - 0.19
        assertClose(p.values, [0.71])
    }

    func testNesterovStepsAlongGradientPlusMomentum() {
        let p = parameter([1])
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9, nesterov: true)
        setGradient(p, [1])
        sgd.step()
        // buffer = 1, update = 1 + 0.9 * 1 = 1.9
        assertClose(p.values, [0.81])
        setGradient(p, [1])
        sgd.step()
        // buffer = 1.9, update = 1 + 0.9 * 1.9 = 2.71
        assertClose(p.values, [0.539])
    }

    func testVariantsFollowPyTorchFormulasOverManySteps() {
        let configurations: [(momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool)] = [
            (0, 0, 0, false), (0, 0, 1e-2, false), (0.9, 0, 0, false), (0.9, 0.1, 5e-3, false), (0.8, 0, 1e-2, true),
        ]
        for c in configurations {
            let initial: [Float] = [0.5, -1.5, 2, 0.25, -0.75]
            let p = parameter(initial)
            let sgd = SGD(parameters: [("w", p)], learningRate: 0.05, momentum: c.momentum, dampening: c.dampening,
                          weightDecay: c.weightDecay, nesterov: c.nesterov)
            var reference = SGDReference(lr: Double(Float(0.05)), momentum: Double(c.momentum), dampening: Double(c.dampening),
                                         weightDecay: Double(c.weightDecay), nesterov: c.nesterov)
            var expected = initial.map(Double.init)
            for step in 0..<12 {
                let g = (0..<initial.count).map { Float(sin(Double(step) * 0.9 + Double($0))) }
                setGradient(p, g)
                sgd.step()
                reference.step(&expected, g.map(Double.init))
            }
            assertClose(p.values, expected, relative: 1e-6, absolute: 5e-7, "for \(c)")
        }
    }

    func testMomentumDescendsAQuadraticThroughAutodiff() {
        let initial: [Float] = [3, -2, 1, 4]
        let p = parameter(initial, shape: [2, 2])
        let sgd = SGD(parameters: [("w", p)], learningRate: 0.5, momentum: 0.9, nesterov: true)
        var reference = SGDReference(lr: 0.5, momentum: Double(Float(0.9)), nesterov: true)
        var expected = initial.map(Double.init)
        for _ in 0..<20 {
            sgd.zeroGrad()
            mean(multiply(p, p)).backward()
            sgd.step()
            // d mean(p^2) / dp = 2p / n
            reference.step(&expected, expected.map { 2 * $0 / 4 })
        }
        assertClose(p.values, expected, relative: 1e-4, absolute: 1e-5)
        XCTAssertLessThan(p.values.map { abs($0) }.max()!, 1)
    }
}
