import Foundation
import XCTest
@testable import GraftCheckpoint

/// Keras weight files in each layout Graft reads (Fixtures/make_keras_fixtures.py made them): the
/// same tensors, named LAYER/I in each layer's own variable order, in Keras' shapes.
final class KerasWeightsTests: XCTestCase {
    private func fixture(_ name: String) throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "keras/\(name)", withExtension: nil), "missing fixture \(name)")
    }

    /// Variable `index` of the `layer`-th layer with weights, as the script filled it.
    private func expected(layer: Int, index: Int, count: Int) -> [Float] {
        (0..<count).map { Float(1000 * (layer + 1) + 100 * index) + Float($0) / 8 }
    }

    private func assertTinyModel(_ checkpoint: Checkpoint, file: StaticString = #filePath, line: UInt = #line) {
        let shapes: [(String, [Int], layer: Int, index: Int)] = [
            ("stem_conv/0", [3, 3, 2, 3], 0, 0), ("stem_conv/1", [3], 0, 1),
            ("stem_bn/0", [3], 1, 0), ("stem_bn/1", [3], 1, 1), ("stem_bn/2", [3], 1, 2), ("stem_bn/3", [3], 1, 3),
            ("predictions/0", [3, 2], 2, 0), ("predictions/1", [2], 2, 1),
        ]
        XCTAssertEqual(Set(checkpoint.names), Set(shapes.map(\.0)), file: file, line: line)
        for (name, shape, layer, index) in shapes {
            guard let tensor = checkpoint[name] else { continue }
            XCTAssertEqual(tensor.shape, shape, name, file: file, line: line)
            XCTAssertEqual(tensor.floatValues, expected(layer: layer, index: index, count: shape.reduce(1, *)), name, file: file, line: line)
        }
    }

    func testKeras2SaveWeightsLayout() throws {
        let checkpoint = try Checkpoint.read(contentsOf: fixture("tiny_keras2.h5"))
        assertTinyModel(checkpoint)
        XCTAssertEqual(checkpoint.metadata["format"], "keras-h5")
    }

    func testKeras3WeightsFile() throws { assertTinyModel(try Checkpoint.read(contentsOf: fixture("tiny.weights.h5"))) }

    func testKerasArchive() throws {
        let checkpoint = try Checkpoint.read(contentsOf: fixture("tiny.keras"))
        assertTinyModel(checkpoint)
        XCTAssertEqual(checkpoint.metadata["format"], "keras")
    }

    func testAWholeModelH5FileHasItsWeightsUnderModelWeights() throws {
        assertTinyModel(try Checkpoint.read(contentsOf: fixture("tiny_model.h5")))
    }

    func testATruncatedFileIsAnErrorNamingIt() throws {
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("graft-broken-\(UUID()).h5")
        defer { try? FileManager.default.removeItem(at: broken) }
        try Data(contentsOf: fixture("tiny_keras2.h5")).prefix(600).write(to: broken)
        XCTAssertThrowsError(try Checkpoint.read(contentsOf: broken)) { error in
            XCTAssertTrue("\(error)".contains(broken.path), "\(error)")
            XCTAssertTrue("\(error)".contains("Keras"), "\(error)")
        }
    }
}
