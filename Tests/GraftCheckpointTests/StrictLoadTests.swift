import Foundation
import GraftCheckpoint
import GraftCore
import XCTest

/// Loading is a strict match of names and shapes; a mismatch is one error that lists it all,
/// and leaves the model untouched.
final class StrictLoadTests: XCTestCase {
    private func model() -> [(name: String, tensor: Tensor)] {
        [("conv.weight", Tensor(shape: [2, 3], repeating: 0)),
         ("bn.running_mean", Tensor(shape: [3], repeating: 0)),
         ("classifier.weight", Tensor(shape: [5, 3], repeating: 9))]
    }

    private func checkpoint(_ extra: [CheckpointTensor] = []) -> Checkpoint {
        Checkpoint(tensors: [
            CheckpointTensor(name: "conv.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]),
            CheckpointTensor(name: "bn.running_mean", shape: [3], values: [0.5, 0.25, 0.125]),
            CheckpointTensor(name: "bn.num_batches_tracked", shape: [], integers: [100]),
            CheckpointTensor(name: "classifier.weight", shape: [1000, 3], values: [Float](repeating: 1, count: 3000)),
            CheckpointTensor(name: "classifier.bias", shape: [1000], values: [Float](repeating: 1, count: 1000)),
        ] + extra, source: "backbone.pth")
    }

    func testLoadsMatchingTensorsAndSkipsTheHead() throws {
        let target = model()
        let report = try checkpoint().load(into: target, skippingPrefixes: ["classifier."])
        XCTAssertEqual(target[0].tensor.values, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(target[1].tensor.values, [0.5, 0.25, 0.125])
        XCTAssertEqual(target[2].tensor.values, [Float](repeating: 9, count: 15), "skipped keys keep their values")
        XCTAssertEqual(report.loaded, ["conv.weight", "bn.running_mean"])
        XCTAssertEqual(Set(report.skipped), ["classifier.weight", "classifier.bias", "bn.num_batches_tracked"])
    }

    func testLoadsAPyTorchFileEndToEnd() throws {
        let checkpoint = try PyTorchCheckpoint.decode(Data(StandardFixture.fixture.legacyFile()), source: "fixture.pth")
        let weight = Tensor(shape: [2, 2, 3], repeating: 0)
        let transposed = Tensor(shape: [3, 2], repeating: 0)
        let half = Tensor(shape: [2, 3], repeating: 0)
        let report = try checkpoint.load(into: [("conv.weight", weight), ("linear.weight_t", transposed), ("half.weight", half)],
                                         skippingPrefixes: ["row", "bf.", "scalar", "empty"])
        XCTAssertEqual(weight.values, StandardFixture.shared)
        XCTAssertEqual(transposed.values, checkpoint["linear.weight_t"]?.floatValues)
        XCTAssertEqual(half.values, StandardFixture.halfValues)
        XCTAssertEqual(report.skipped, ["row", "bf.bias", "scalar", "empty", "bn.num_batches_tracked"])
    }

    func testIntegerTensorTheModelHasIsLoaded() throws {
        // Graft tensors have at least one dimension: PyTorch's scalar [] loads into [1].
        let counter = Tensor(shape: [1], repeating: 0)
        try checkpoint().load(into: model() + [("bn.num_batches_tracked", counter)], skippingPrefixes: ["classifier."])
        XCTAssertEqual(counter.values, [100])
    }

    func testRenamingMapsCheckpointKeysToModelKeys() throws {
        let target = [("backbone.conv.weight", Tensor(shape: [2, 3], repeating: 0)),
                      ("backbone.bn.running_mean", Tensor(shape: [3], repeating: 0))]
        try checkpoint().load(into: target, skippingPrefixes: ["classifier."], renamingKeys: { "backbone." + $0 })
        XCTAssertEqual(target[0].1.values, [1, 2, 3, 4, 5, 6])
    }

    func testEveryMismatchIsListedInOneError() {
        let target = [("conv.weight", Tensor(shape: [3, 2], repeating: 7)),
                      ("bn.running_mean", Tensor(shape: [3], repeating: 7)),
                      ("classifier.weight", Tensor(shape: [5, 3], repeating: 7)),
                      ("extra.weight", Tensor(shape: [4], repeating: 7))]
        let withStray = checkpoint([CheckpointTensor(name: "stray.bias", shape: [2], values: [1, 2])])
        let error = assertCheckpointError(
            try withStray.load(into: target),
            naming: ["backbone.pth", "1 missing", "2 unexpected", "2 mis-shaped",
                     "extra.weight [4]", "stray.bias [2]", "classifier.bias [1000]",
                     "conv.weight: model [3, 2], checkpoint [2, 3]", "classifier.weight: model [5, 3], checkpoint [1000, 3]"])
        guard case .stateMismatch(let mismatch)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(mismatch.missing, [.init(name: "extra.weight", shape: [4])])
        XCTAssertEqual(mismatch.unexpected.map(\.name), ["classifier.bias", "stray.bias"])
        XCTAssertEqual(mismatch.misshaped.map(\.name), ["conv.weight", "classifier.weight"])
        XCTAssertFalse(mismatch.description.contains("num_batches_tracked"), "integer bookkeeping is not unexpected")
        for (name, tensor) in target {
            XCTAssert(tensor.values.allSatisfy { $0 == 7 }, "\(name) changed although the load failed")
        }
    }

    func testScalarLoadsOnlyIntoOneElement() {
        let target = [("bn.num_batches_tracked", Tensor(shape: [2], repeating: 0))]
        assertCheckpointError(try checkpoint().load(into: target, skippingPrefixes: ["conv", "bn.running", "classifier"]),
                              naming: ["bn.num_batches_tracked: model [2], checkpoint []"])
    }

    func testRenamingTwoKeysToOneIsAnError() {
        assertCheckpointError(try checkpoint().load(into: model(), skippingPrefixes: ["classifier."],
                                                    renamingKeys: { $0.hasPrefix("conv") ? "bn.running_mean" : $0 }),
                              naming: ["bn.running_mean", "duplicated"])
    }
}
