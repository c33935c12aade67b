import Foundation
import GraftCheckpoint
import XCTest

/// Files that PyTorch itself wrote (see `TorchWrittenFiles`), read back exactly as torch.load
/// reads them: every name, shape, element type and value.
final class TorchWrittenFileTests: XCTestCase {
    private struct Expected {
        let shape: [Int]
        let dtype: String
        let values: [Double]
    }

    private static let expected: [(name: String, tensor: Expected)] = {
        let object = try! JSONSerialization.jsonObject(with: Data(TorchWrittenFiles.expectedJSON.utf8)) as! [String: [Any]]
        // JSON objects are unordered; the state dict's order is the order the entries were added.
        let order = ["conv.weight", "conv.weight_t", "view", "view_t", "half", "bf16", "bn.num_batches_tracked",
                     "scalar", "empty", "param"]
        return order.map { name in
            let entry = object[name]!
            return (name, Expected(shape: entry[0] as! [Int], dtype: entry[1] as! String, values: entry[2] as! [Double]))
        }
    }()

    private static let storedTypes: [String: ElementType] = [
        "torch.float32": .float32, "torch.float16": .float16, "torch.bfloat16": .bfloat16, "torch.int64": .int64,
    ]

    private func verify(_ checkpoint: Checkpoint, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(checkpoint.names, Self.expected.map(\.name), file: file, line: line)
        for (name, expected) in Self.expected {
            guard let tensor = checkpoint[name] else { continue }
            XCTAssertEqual(tensor.shape, expected.shape, name, file: file, line: line)
            XCTAssertEqual(tensor.storedType, Self.storedTypes[expected.dtype], name, file: file, line: line)
            // Every value is a float32 (or narrower) widened to float64 by torch, so the match is exact.
            XCTAssertEqual(tensor.floatValues, expected.values.map { Float($0) }, name, file: file, line: line)
        }
    }

    func testZipFormat() throws {
        verify(try PyTorchCheckpoint.decode(TorchWrittenFiles.zip, source: "real_zip.pt"))
    }

    func testLegacyFormat() throws {
        verify(try PyTorchCheckpoint.decode(TorchWrittenFiles.legacy, source: "real_legacy.pth"))
    }

    /// Wrapped with an epoch and an optimizer state (whose storages are never read).
    func testWrappedStateDict() throws {
        verify(try PyTorchCheckpoint.decode(TorchWrittenFiles.wrapped, source: "real_wrapped.pt"))
        verify(try PyTorchCheckpoint.decode(TorchWrittenFiles.wrapped, stateDictKey: "state_dict"))
        assertCheckpointError(try PyTorchCheckpoint.decode(TorchWrittenFiles.wrapped, stateDictKey: "optimizer"),
                              naming: ["'optimizer' holds no tensors", "'state'", "'param_groups'"])
    }

    func testSafetensorsRoundTripOfATorchFile() throws {
        let checkpoint = try PyTorchCheckpoint.decode(TorchWrittenFiles.zip)
        let copy = try Safetensors.decode(try Safetensors.encode(checkpoint))
        XCTAssertEqual(copy.names, checkpoint.names)
        for tensor in checkpoint.tensors {
            XCTAssertEqual(copy[tensor.name]?.floatValues.map(\.bitPattern), tensor.floatValues.map(\.bitPattern))
        }
    }
}
