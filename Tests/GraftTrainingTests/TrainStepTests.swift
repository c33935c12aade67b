import Foundation
import GraftCore
import GraftOptim
@testable import GraftTraining
import XCTest

final class TrainStepTests: XCTestCase {
    /// One step of a small linear classifier, from the same start, with the given loss.
    private func stepped(targets: Tensor?, labels: [Int], useStep: Bool) throws -> (loss: Float, weight: [Float]) {
        var g = SeededGenerator(seed: 17)
        let weight = Tensor(shape: [3, 4], values: (0..<12).map { _ in g.nextNormal() })
        weight.requiresGrad = true
        let x = Tensor(shape: [2, 4], values: (0..<8).map { _ in g.nextNormal() })
        let optimizer = Adam(parameters: [("w", weight)], learningRate: 0.1)
        let scheduler = LearningRateScheduler(optimizer: optimizer, schedule: ConstantLearningRate(0.1))
        let logits = linear(x, weight: weight, bias: nil)
        if useStep {
            let loss = try TrainStep(optimizer: optimizer, scheduler: scheduler)(logits, labels: labels, targets: targets)
            return (loss, weight.values)
        }
        let loss = targets.map { softmaxCrossEntropy(logits, targets: $0) } ?? softmaxCrossEntropy(logits, labels: labels)
        optimizer.zeroGrad()
        loss.backward()
        optimizer.step()
        return (loss.item, weight.values)
    }

    func testMixedBatchesTrainOnTheirSoftTargets() throws {
        let labels = [0, 2]
        let soft = Tensor(shape: [2, 3], values: [0.7, 0, 0.3, 0.3, 0, 0.7])
        let withTargets = try stepped(targets: soft, labels: labels, useStep: true)
        XCTAssertEqual(withTargets.loss, try stepped(targets: soft, labels: labels, useStep: false).loss)
        XCTAssertEqual(withTargets.weight, try stepped(targets: soft, labels: labels, useStep: false).weight)
        let hard = try stepped(targets: nil, labels: labels, useStep: true)
        XCTAssertNotEqual(withTargets.loss, hard.loss, "the soft targets did not reach the loss")
        XCTAssertNotEqual(withTargets.weight, hard.weight)
    }
}
