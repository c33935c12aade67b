import Foundation
import GraftCheckpoint
import XCTest

/// The two real checkpoints Graft loads (legacy torch format), from GRAFT_TORCH_WEIGHTS_DIR or
/// else Graft's weights cache (GRAFT_HOME or ~/.cache/graft, where `make test` fetches them).
/// They are not committed (no licence to redistribute); where neither holds them these tests are
/// skipped. Expected numbers come from the NumPy reader in
/// shared/reference/torchnp.py. With GRAFT_CHECKPOINT_DUMP_DIR set, every tensor's shape and
/// checksums are written as JSON there, and all of it as safetensors, for a full comparison with
/// that reader.
final class RealWeightsTests: XCTestCase {
    private func checkpoint(_ file: String) throws -> Checkpoint {
        let environment = ProcessInfo.processInfo.environment
        let folder = environment["GRAFT_TORCH_WEIGHTS_DIR"] ?? environment["GRAFT_HOME"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/graft").path
        let url = URL(fileURLWithPath: folder).appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("no \(url.path)") }
        let checkpoint = try Checkpoint.read(contentsOf: url)
        try dump(checkpoint, as: file)
        return checkpoint
    }

    private func sum(_ values: [Float]) -> Double { values.reduce(0) { $0 + Double($1) } }

    func testEfficientNetLite0() throws {
        let checkpoint = try checkpoint("efficientnet-lite0-57934424.pth")
        XCTAssertEqual(checkpoint.tensors.count, 296)
        XCTAssertEqual(checkpoint.tensors.filter { !$0.isFloatingPoint }.count, 49)
        XCTAssertEqual(checkpoint.tensors.reduce(0) { $0 + $1.elementCount }, 4_694_073)
        XCTAssertEqual(checkpoint.names.first, "_conv_stem.weight")
        XCTAssertEqual(checkpoint.names.last, "_fc.bias")
        // Stored with strides (1, 32, 288, 96): gathered through them, not copied in storage order.
        let stem = try XCTUnwrap(checkpoint["_conv_stem.weight"])
        XCTAssertEqual(stem.shape, [32, 3, 3, 3])
        XCTAssertEqual(Array(stem.floatValues.prefix(4)), [-1.1103360652923584, -1.3087704181671143, -0.010156914591789246, 0.9208119511604309])
        XCTAssertEqual(sum(stem.floatValues), -26.811376610887237, accuracy: 1e-9)
        XCTAssertEqual(checkpoint["_fc.weight"]?.shape, [1000, 1280])
        XCTAssertEqual(sum(checkpoint["_fc.weight"]!.floatValues), -470.63256730128705, accuracy: 1e-6)
        XCTAssertEqual(checkpoint["_bn0.num_batches_tracked"]?.storedType, .int64)
    }

    func testMobileNetV2() throws {
        let checkpoint = try checkpoint("mobilenet_v2-b0353104.pth")
        XCTAssertEqual(checkpoint.tensors.count, 314)
        XCTAssertEqual(checkpoint.tensors.filter { !$0.isFloatingPoint }.count, 52)
        XCTAssertEqual(checkpoint.tensors.reduce(0) { $0 + $1.elementCount }, 3_539_036)
        let first = try XCTUnwrap(checkpoint["features.0.0.weight"])
        XCTAssertEqual(first.shape, [32, 3, 3, 3])
        XCTAssertEqual(Array(first.floatValues.prefix(4)), [0.013185339979827404, -0.004321294371038675, 0.014823135919868946, 0.03278049826622009])
        XCTAssertEqual(sum(first.floatValues), -0.7730716340520303, accuracy: 1e-9)
        XCTAssertEqual(checkpoint["features.18.1.num_batches_tracked"]?.elements, .int64([1_431_430]))
        XCTAssertEqual(checkpoint["classifier.1.weight"]?.shape, [1000, 1280])
    }

    /// name -> [shape, sum, sum of squares, first element] (as Double), for a comparison in Python.
    private func dump(_ checkpoint: Checkpoint, as file: String) throws {
        guard let folder = ProcessInfo.processInfo.environment["GRAFT_CHECKPOINT_DUMP_DIR"] else { return }
        var summary: [[Any]] = []
        for tensor in checkpoint.tensors {
            let values = tensor.floatValues
            summary.append([tensor.name, tensor.shape, sum(values), values.reduce(0) { $0 + Double($1) * Double($1) },
                            values.first.map(Double.init) ?? 0])
        }
        let data = try JSONSerialization.data(withJSONObject: summary)
        try data.write(to: URL(fileURLWithPath: folder).appendingPathComponent(file + ".json"))
        // Every element, for a bit-exact comparison (and a check of the writer by another reader).
        try Safetensors.write(checkpoint, to: URL(fileURLWithPath: folder).appendingPathComponent(file + ".safetensors"))
    }
}
