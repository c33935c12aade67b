import GraftCore
import GraftOptim
import XCTest

/// A state that does not fit must be refused with an error that names the offending key, and
/// must leave the optimizer as it was.
final class StateLoadErrorTests: XCTestCase {
    private func trainedAdam(headWeightShape: [Int] = [2]) -> Adam {
        let w = Tensor(shape: headWeightShape, repeating: 1, requiresGrad: true)
        let b = parameter([0])
        let adam = Adam(groups: [ParameterGroup(name: "head", parameters: [(name: "weight", tensor: w), (name: "bias", tensor: b)])])
        setGradient(w, [Float](repeating: 1, count: w.count))
        setGradient(b, [1])
        adam.step()
        return adam
    }

    private func assertLoadFails(_ state: OptimizerState, into adam: Adam, naming fragments: [String],
                                 file: StaticString = #filePath, line: UInt = #line) {
        let before = adam.stateDict()
        guard let error = thrownError({ try adam.load(state) }, file: file, line: line) else { return }
        XCTAssert(error is OptimizerStateError, "\(error)", file: file, line: line)
        for fragment in fragments {
            XCTAssert("\(error)".contains(fragment), "'\(error)' does not name \(fragment)", file: file, line: line)
            XCTAssert(error.localizedDescription.contains(fragment), error.localizedDescription, file: file, line: line)
        }
        XCTAssertEqual(adam.stateDict(), before, "a failed load changed the optimizer", file: file, line: line)
    }

    func testMissingParameterIsNamed() {
        var state = trainedAdam().stateDict()
        state.groups[0].parameterNames.removeAll { $0 == "bias" }
        state.parameters["head/bias"] = nil
        assertLoadFails(state, into: trainedAdam(), naming: ["head/bias"])
    }

    func testUnknownParameterIsNamed() {
        var state = trainedAdam().stateDict()
        state.parameters["head/ghost"] = state.parameters["head/bias"]
        assertLoadFails(state, into: trainedAdam(), naming: ["head/ghost"])
    }

    func testWrongShapeIsNamed() {
        // A checkpoint of a two-class head loaded into a three-class one.
        let state = trainedAdam(headWeightShape: [2]).stateDict()
        assertLoadFails(state, into: trainedAdam(headWeightShape: [3]), naming: ["head/weight", "[2]", "[3]"])
    }

    func testMisshapenBufferIsNamed() {
        var state = trainedAdam().stateDict()
        state.parameters["head/weight"]!.buffers["exp_avg_sq"] = SavedFloats(shape: [1, 2], values: [0, 0])
        assertLoadFails(state, into: trainedAdam(), naming: ["head/weight", "exp_avg_sq"])
    }

    func testMissingBufferIsNamed() {
        var state = trainedAdam().stateDict()
        state.parameters["head/weight"]!.buffers["exp_avg"] = nil
        assertLoadFails(state, into: trainedAdam(), naming: ["head/weight", "exp_avg"])
    }

    func testMissingGroupAndHyperParameterAreNamed() {
        var renamed = trainedAdam().stateDict()
        renamed.groups[0].name = "classifier"
        assertLoadFails(renamed, into: trainedAdam(), naming: ["classifier"])
        var incomplete = trainedAdam().stateDict()
        incomplete.hyperParameters["beta2"] = nil
        assertLoadFails(incomplete, into: trainedAdam(), naming: ["beta2"])
    }

    func testOtherOptimizerIsRefused() {
        let p = parameter([1])
        let sgd = SGD(groups: [ParameterGroup(name: "head", parameters: [(name: "bias", tensor: p)])], learningRate: 0.1)
        assertLoadFails(sgd.stateDict(), into: trainedAdam(), naming: ["SGD", "Adam"])
    }

    func testMomentumStateDoesNotLoadIntoPlainSGD() {
        let p = parameter([1])
        let withMomentum = SGD(parameters: [("w", p)], learningRate: 0.1, momentum: 0.9)
        setGradient(p, [1])
        withMomentum.step()
        let plain = SGD(parameters: [("w", p)], learningRate: 0.1)
        XCTAssertThrowsError(try plain.load(withMomentum.stateDict())) { error in
            XCTAssert("\(error)".contains("momentum"), "\(error)")
        }
    }

    func testLoadRestoresSettings() throws {
        let source = trainedAdam()
        source.learningRate = 0.125
        let target = Adam(groups: [ParameterGroup(name: "head", parameters: [
            (name: "weight", tensor: parameter([1, 1])), (name: "bias", tensor: parameter([0])),
        ])], learningRate: 1, beta1: 0.5)
        try target.load(source.stateDict())
        XCTAssertEqual(target.learningRate, 0.125)
        XCTAssertEqual(target.beta1, 0.9)
        XCTAssertEqual(target.stateDict(), source.stateDict())
    }
}
