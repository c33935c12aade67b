@testable import GraftCheckpoint

/// The state dict most tests read: parameters and buffers, a storage shared by three tensors
/// (one of them a non-contiguous, offset view), float16 and bfloat16 storages, an int64
/// `num_batches_tracked`, a scalar and an empty tensor.
enum StandardFixture {
    /// Storage "0": -1.0, -0.5, 0.0, ..., 4.5.
    static let shared: [Float] = (0..<12).map { Float($0) * 0.5 - 1 }
    /// 1, -2.5, 65504 (the largest half), the smallest subnormal, -0, and 1/3 rounded to half.
    static let halfBits: [UInt16] = [0x3c00, 0xc100, 0x7bff, 0x0001, 0x8000, 0x3555]
    static let halfValues: [Float] = [1, -2.5, 65504, 0x1p-24, -0.0, 0.333251953125]
    /// 1, -2, pi rounded to bfloat16, 1e-3 rounded to bfloat16.
    static let bfloatBits: [UInt16] = [0x3f80, 0xc000, 0x4049, 0x3a83]
    static let bfloatValues: [Float] = [1, -2, 3.140625, 0.00099945068359375]

    static var fixture: CheckpointFixture {
        var fixture = CheckpointFixture()
        fixture.storages = [
            CheckpointFixture.floatStorage("0", shared),
            CheckpointFixture.halfStorage("1", bits: halfBits),
            CheckpointFixture.longStorage("2", [12345]),
            CheckpointFixture.halfStorage("3", bits: bfloatBits, type: .bfloat16),
            CheckpointFixture.floatStorage("4", [42.5]),
            CheckpointFixture.floatStorage("5", []),
        ]
        fixture.tensors = [
            .init(name: "conv.weight", storageKey: "0", offset: 0, shape: [2, 2, 3], strides: [6, 3, 1], isParameter: true),
            .init(name: "linear.weight_t", storageKey: "0", offset: 1, shape: [3, 2], strides: [1, 4]),
            .init(name: "row", storageKey: "0", offset: 6, shape: [6], strides: [1]),
            .init(name: "half.weight", storageKey: "1", offset: 0, shape: [2, 3], strides: [3, 1], isParameter: true),
            .init(name: "bf.bias", storageKey: "3", offset: 0, shape: [4], strides: [1]),
            .init(name: "bn.num_batches_tracked", storageKey: "2", offset: 0, shape: [], strides: []),
            .init(name: "scalar", storageKey: "4", offset: 0, shape: [], strides: []),
            .init(name: "empty", storageKey: "5", offset: 0, shape: [0, 3], strides: [3, 1]),
        ]
        return fixture
    }

    static let names = ["conv.weight", "linear.weight_t", "row", "half.weight", "bf.bias",
                        "bn.num_batches_tracked", "scalar", "empty"]

    /// Checks everything a reader must get right about the fixture.
    static func verify(_ checkpoint: Checkpoint, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(checkpoint.names, names, file: file, line: line)
        func check(_ name: String, _ shape: [Int], _ type: ElementType, _ values: [Float]) {
            guard let tensor = checkpoint[name] else { return XCTFail("no \(name)", file: file, line: line) }
            XCTAssertEqual(tensor.shape, shape, name, file: file, line: line)
            XCTAssertEqual(tensor.storedType, type, name, file: file, line: line)
            assertSameBits(tensor.floatValues, values, name, file: file, line: line)
        }
        check("conv.weight", [2, 2, 3], .float32, shared)
        // Element (i, j) is storage element 1 + i + 4j.
        check("linear.weight_t", [3, 2], .float32, [shared[1], shared[5], shared[2], shared[6], shared[3], shared[7]])
        check("row", [6], .float32, Array(shared[6...]))
        check("half.weight", [2, 3], .float16, halfValues)
        check("bf.bias", [4], .bfloat16, bfloatValues)
        check("scalar", [], .float32, [42.5])
        check("empty", [0, 3], .float32, [])
        XCTAssertEqual(checkpoint["bn.num_batches_tracked"]?.elements, .int64([12345]), file: file, line: line)
        XCTAssertEqual(checkpoint["bn.num_batches_tracked"]?.isFloatingPoint, false, file: file, line: line)
    }
}

import XCTest
