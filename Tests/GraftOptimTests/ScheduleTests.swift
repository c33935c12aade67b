import Foundation
import GraftCore
import GraftOptim
import XCTest

final class ScheduleTests: XCTestCase {
    private func assertRate(_ schedule: LearningRateSchedule, at step: Int, _ expected: Double,
                            file: StaticString = #filePath, line: UInt = #line) {
        let actual = Double(schedule.learningRate(at: step))
        XCTAssertEqual(actual, expected, accuracy: 1e-7 + 1e-6 * abs(expected), "step \(step)", file: file, line: line)
    }

    func testConstant() {
        for step in [0, 1, 1000] { assertRate(ConstantLearningRate(0.01), at: step, 0.01) }
    }

    func testStepDecayMultipliesByGammaEveryStepSize() {
        let schedule = StepDecay(baseLearningRate: 0.1, stepSize: 30, gamma: 0.1)
        assertRate(schedule, at: 0, 0.1)
        assertRate(schedule, at: 29, 0.1)
        assertRate(schedule, at: 30, 0.01)
        assertRate(schedule, at: 59, 0.01)
        assertRate(schedule, at: 60, 0.001)
    }

    func testWarmupThenCosine() {
        let schedule = WarmupCosine(baseLearningRate: 0.1, totalSteps: 110, warmupSteps: 10, minLearningRate: 0.001)
        assertRate(schedule, at: 0, 0)
        assertRate(schedule, at: 5, 0.05)
        assertRate(schedule, at: 10, 0.1)
        // Half-way through the cosine: the mean of base and minimum.
        assertRate(schedule, at: 60, (0.1 + 0.001) / 2)
        assertRate(schedule, at: 35, 0.001 + (0.1 - 0.001) * 0.5 * (1 + cos(Double.pi * 0.25)))
        assertRate(schedule, at: 110, 0.001)
        assertRate(schedule, at: 500, 0.001)
    }

    func testWarmupStartFactor() {
        let schedule = WarmupCosine(baseLearningRate: 0.1, totalSteps: 20, warmupSteps: 4, warmupStartFactor: 0.2)
        assertRate(schedule, at: 0, 0.02)
        assertRate(schedule, at: 2, 0.1 * (0.2 + 0.8 * 0.5))
        assertRate(schedule, at: 4, 0.1)
        assertRate(schedule, at: 20, 0)
    }

    func testCosineWithoutWarmup() {
        let schedule = WarmupCosine(baseLearningRate: 1, totalSteps: 4)
        assertRate(schedule, at: 0, 1)
        assertRate(schedule, at: 2, 0.5)
        assertRate(schedule, at: 4, 0)
    }

    func testOneCycleMatchesPyTorchPhases() {
        let schedule = OneCycle(maxLearningRate: 0.1, totalSteps: 100)
        let initial = 0.1 / 25, final = 0.1 / 25 / 1e4
        func anneal(_ start: Double, _ end: Double, _ fraction: Double) -> Double {
            end + (start - end) / 2 * (cos(Double.pi * fraction) + 1)
        }
        // PyTorch: the peak is at step pct_start * total - 1 = 29, the end at total - 1 = 99.
        assertRate(schedule, at: 0, initial)
        assertRate(schedule, at: 10, anneal(initial, 0.1, 10 / 29))
        assertRate(schedule, at: 29, 0.1)
        assertRate(schedule, at: 64, (0.1 + final) / 2)
        assertRate(schedule, at: 80, anneal(0.1, final, 51 / 70))
        assertRate(schedule, at: 99, final)
        assertRate(schedule, at: 150, final)
        XCTAssertEqual(Double(schedule.initialLearningRate), initial, accuracy: 1e-9)
        XCTAssertEqual(Double(schedule.finalLearningRate), final, accuracy: 1e-12)
    }

    func testOneCycleWithFractionalPeak() {
        let schedule = OneCycle(maxLearningRate: 1, totalSteps: 10, pctStart: 0.25, divFactor: 10, finalDivFactor: 100)
        func anneal(_ start: Double, _ end: Double, _ fraction: Double) -> Double {
            end + (start - end) / 2 * (cos(Double.pi * fraction) + 1)
        }
        assertRate(schedule, at: 0, 0.1)
        assertRate(schedule, at: 1, anneal(0.1, 1, 1 / 1.5))
        assertRate(schedule, at: 2, anneal(1, 0.001, 0.5 / 7.5))
        assertRate(schedule, at: 9, 0.001)
    }

    func testSchedulerDrivesEveryGroupProportionally() {
        let backbone = parameter([1]), head = parameter([1])
        let sgd = SGD(groups: [
            ParameterGroup(name: "backbone", tensors: [backbone], learningRate: .scaled(0.1)),
            ParameterGroup(name: "head", tensors: [head]),
        ], learningRate: 123)
        let schedule = StepDecay(baseLearningRate: 1, stepSize: 2, gamma: 0.5)
        let scheduler = LearningRateScheduler(optimizer: sgd, schedule: schedule)
        XCTAssertEqual(sgd.learningRate, 1)
        var seen: [Float] = []
        for _ in 0..<5 {
            seen.append(sgd.learningRate(ofGroup: "head")!)
            XCTAssertEqual(sgd.learningRate(ofGroup: "backbone")!, 0.1 * sgd.learningRate, accuracy: 1e-7)
            sgd.step()
            scheduler.step()
        }
        XCTAssertEqual(seen, [1, 1, 0.5, 0.5, 0.25])
        XCTAssertEqual(scheduler.completedSteps, 5)

        let resumed = LearningRateScheduler(optimizer: sgd, schedule: schedule, completedSteps: 4)
        XCTAssertEqual(resumed.completedSteps, 4)
        XCTAssertEqual(sgd.learningRate, 0.25)
        sgd.applySchedule(schedule, at: 6)
        XCTAssertEqual(sgd.learningRate, 0.125)
    }
}
