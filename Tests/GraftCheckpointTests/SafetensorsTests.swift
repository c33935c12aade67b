import Foundation
import GraftCore
@testable import GraftCheckpoint
import XCTest

final class SafetensorsTests: XCTestCase {
    /// Written by the reference implementation (safetensors 0.8.0, `safetensors.numpy.save_file`):
    /// n = int64 7, b = float32 [1.5, -2], z = float32 zeros(0, 3), a = float16 arange(6) as 2x3,
    /// metadata {"format": "np"}. It sorts tensors by alignment, so the file order is n, b, z, a.
    static let referenceFile = Data(base64Encoded:
        "AAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJucCJ9LCJuIjp7ImR0eXBlIjoiSTY0Iiwic2hhcGUiOltdLCJkYXRhX29mZnNldHMiOlswLDhdfSwiYiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMl0sImRhdGFfb2Zmc2V0cyI6WzgsMTZdfSwieiI6eyJkdHlwZSI6IkYzMiIsInNoYXBlIjpbMCwzXSwiZGF0YV9vZmZzZXRzIjpbMTYsMTZdfSwiYSI6eyJkdHlwZSI6IkYxNiIsInNoYXBlIjpbMiwzXSwiZGF0YV9vZmZzZXRzIjpbMTYsMjhdfX0gICAgBwAAAAAAAAAAAMA/AAAAwAAAADwAQABCAEQARQ==")!

    func testReadsTheReferenceImplementationsFile() throws {
        let checkpoint = try Safetensors.decode(Self.referenceFile, source: "py.safetensors")
        XCTAssertEqual(checkpoint.names, ["n", "b", "z", "a"])
        XCTAssertEqual(checkpoint.metadata, ["format": "np"])
        XCTAssertEqual(checkpoint["n"]?.elements, .int64([7]))
        XCTAssertEqual(checkpoint["n"]?.shape, [])
        XCTAssertEqual(checkpoint["b"]?.floatValues, [1.5, -2])
        XCTAssertEqual(checkpoint["z"]?.shape, [0, 3])
        XCTAssertEqual(checkpoint["a"]?.shape, [2, 3])
        XCTAssertEqual(checkpoint["a"]?.storedType, .float16)
        XCTAssertEqual(checkpoint["a"]?.floatValues, [0, 1, 2, 3, 4, 5])
    }

    private var awkwardCheckpoint: Checkpoint {
        let specials: [Float] = [.nan, -.nan, Float(bitPattern: 0x7fc0_1234), .infinity, -.infinity, -0.0, 0,
                                 .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1 / 3]
        return Checkpoint(tensors: [
            CheckpointTensor(name: "layer.weight", shape: [2, 5], values: specials),
            CheckpointTensor(name: "bn.num_batches_tracked", shape: [], integers: [Int64.min]),
            CheckpointTensor(name: "empty", shape: [3, 0], values: []),
            CheckpointTensor(name: "quote\"back\\slash\nnewline\u{1}ünï", shape: [1], values: [2]),
            CheckpointTensor(name: "counts", shape: [3], integers: [0, -1, .max]),
        ], metadata: ["format": "pt", "note": "a \"quoted\" value"])
    }

    func testRoundTripIsBitExact() throws {
        let original = awkwardCheckpoint
        let data = try Safetensors.encode(original)
        XCTAssertEqual(Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }) % 8, 0,
                       "data should start 8-byte aligned")
        let read = try Safetensors.decode(data)
        XCTAssertEqual(read.names, original.names)
        XCTAssertEqual(read.metadata, original.metadata)
        for tensor in original.tensors {
            let copy = try XCTUnwrap(read[tensor.name])
            XCTAssertEqual(copy.shape, tensor.shape)
            XCTAssertEqual(copy.storedType, tensor.storedType)
            switch (copy.elements, tensor.elements) {
            case (.float32(let a), .float32(let b)): assertSameBits(a, b, tensor.name)
            case (.int64(let a), .int64(let b)): XCTAssertEqual(a, b, tensor.name)
            default: XCTFail("element kind changed for \(tensor.name)")
            }
        }
        XCTAssertEqual(try Safetensors.encode(read), data, "re-encoding should give the same bytes")
    }

    func testWriteIsAtomicAndReplacesTheFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("graft-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        try Data("old".utf8).write(to: url)
        try Safetensors.write(awkwardCheckpoint, to: url)
        XCTAssertEqual(try Checkpoint.read(contentsOf: url).names, awkwardCheckpoint.names)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"],
                       "no temporary file may be left behind")
        assertCheckpointError(try Safetensors.write(awkwardCheckpoint, to: folder.appendingPathComponent("missing/x.safetensors")),
                              naming: ["missing/x.safetensors"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.safetensors"])
    }

    func testReservedNameIsRefused() {
        let checkpoint = Checkpoint(tensors: [CheckpointTensor(name: "__metadata__", shape: [1], values: [1])])
        assertCheckpointError(try Safetensors.encode(checkpoint), naming: ["__metadata__"])
    }

    func testSavesAModelsTensors() throws {
        let state = [(name: "w", tensor: Tensor(shape: [2, 2], values: [1, 2, 3, 4]))]
        let read = try Safetensors.decode(try Safetensors.encode(Checkpoint(namedTensors: state)))
        XCTAssertEqual(read["w"]?.floatValues, [1, 2, 3, 4])
        XCTAssertEqual(read["w"]?.shape, [2, 2])
    }

    // MARK: Malformed files

    /// A file with `header` as its JSON and `dataSize` bytes of data.
    private func file(_ header: String, dataSize: Int = 8, declaredLength: UInt64? = nil) -> Data {
        let json = Array(header.utf8)
        return Data(littleEndianBytes(declaredLength ?? UInt64(json.count)) + json + [UInt8](repeating: 0, count: dataSize))
    }

    private func assertMalformed(_ data: Data, naming fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        assertCheckpointError(try Safetensors.decode(data, source: "bad.safetensors"), naming: ["bad.safetensors"] + fragments,
                              file: file, line: line)
    }

    func testMalformedHeadersAreRefused() {
        let good = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        XCTAssertNoThrow(try Safetensors.decode(file(good)))
        assertMalformed(Data([1, 2, 3]), naming: ["truncated", "header length"])
        assertMalformed(file(good, declaredLength: 1 << 40), naming: ["header length"])
        assertMalformed(file(good, declaredLength: 200), naming: ["header length"])
        assertMalformed(file("[1, 2]"), naming: ["'{'"])
        assertMalformed(file(#"{"a": nonsense}"#), naming: ["invalid safetensors header"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[2]}}"#), naming: ["data_offsets"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[true],"data_offsets":[0,8]}}"#), naming: ["a.shape"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#), naming: ["invalid safetensors header"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#), naming: ["'a'", "[-2]"])
        assertMalformed(file(#"{"a":{"dtype":"I8","shape":[8],"data_offsets":[0,8]}}"#), naming: ["'a'", "I8"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#), naming: ["'a'", "12"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#), naming: ["'a'", "outside"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#), naming: ["'a'"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#), naming: ["'a'", "data_offsets"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#), naming: ["'a'", "overflows"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}"#),
                        naming: ["overlaps"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#), naming: ["'a'", "belong to no tensor"])
        assertMalformed(file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#), naming: ["last 4 data bytes"])
        assertMalformed(file(#"{"__metadata__":{"n":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#), naming: ["__metadata__"])
    }

    func testTruncatedFilesThrowAtEveryCut() throws {
        let data = try Safetensors.encode(awkwardCheckpoint)
        for cut in 0..<data.count {
            XCTAssertThrowsError(try Safetensors.decode(data.prefix(cut)), "cut at \(cut)")
        }
    }
}
