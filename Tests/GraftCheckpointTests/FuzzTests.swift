import Foundation
@testable import GraftCheckpoint
import GraftCore
import XCTest

/// Damaged files must throw, never crash: every truncation point, and a few hundred seeded random
/// mutations of valid files. (A crash would end the test process, so passing means none happened.)
final class FuzzTests: XCTestCase {
    /// Reads `data` and reports whether it was accepted; any non-CheckpointError is a failure.
    private func survives(_ data: Data, _ decode: (Data) throws -> Checkpoint, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        do {
            _ = try decode(data)
            return true
        } catch is CheckpointError {
            return false
        } catch {
            XCTFail("threw \(type(of: error)): \(error)", file: file, line: line)
            return false
        }
    }

    func testLegacyTruncatedAtEveryByteThrows() {
        let bytes = StandardFixture.fixture.legacyFile()
        for cut in 0..<bytes.count {
            XCTAssertFalse(survives(Data(bytes[..<cut])) { try PyTorchCheckpoint.decode($0) }, "cut at \(cut) of \(bytes.count)")
        }
    }

    /// Every third byte, and every one of the end of central directory (the last 22 bytes, where
    /// a reader starts), to keep the test quick: each zip read goes through a temporary file.
    func testZipTruncatedAtManyBytesThrows() throws {
        let data = try StandardFixture.fixture.zipFile()
        for cut in Array(stride(from: 0, to: data.count, by: 3)) + Array((data.count - 22)..<data.count) {
            XCTAssertFalse(survives(data.prefix(cut)) { try PyTorchCheckpoint.decode($0) }, "cut at \(cut) of \(data.count)")
        }
    }

    /// Overwrites, inserts or deletes a few bytes at random.
    private func mutate(_ bytes: [UInt8], _ generator: inout SeededGenerator, protecting prefix: Int = 0) -> [UInt8] {
        var result = bytes
        for _ in 0..<Int.random(in: 1...6, using: &generator) {
            let position = Int.random(in: prefix..<result.count, using: &generator)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: result.insert(UInt8.random(in: 0...255, using: &generator), at: position)
            case 1: result.remove(at: position)
            case 2: result[position] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
            // Values that make lengths and counts extreme.
            case 3: result[position] = [0x00, 0x7f, 0x80, 0xff].randomElement(using: &generator)!
            default: result[position] = UInt8.random(in: 0...255, using: &generator)
            }
        }
        return result
    }

    func testMutatedLegacyFilesNeverCrash() {
        var generator = SeededGenerator(seed: 2024)
        let bytes = StandardFixture.fixture.legacyFile()
        var accepted = 0
        for _ in 0..<600 {
            let accepts = survives(Data(mutate(bytes, &generator))) { try PyTorchCheckpoint.decode($0) }
            if accepts { accepted += 1 }
        }
        // Mutations of the data bytes alone still read; most others must not.
        XCTAssert((1..<600).contains(accepted), "\(accepted) of 600 mutated files accepted")
    }

    func testMutatedZipPicklesNeverCrash() throws {
        var generator = SeededGenerator(seed: 7)
        let fixture = StandardFixture.fixture
        let pickle = fixture.objectPickle(.zip)
        for _ in 0..<200 {
            let data = try fixture.zipFile(replacePickle: mutate(pickle, &generator))
            _ = survives(data) { try PyTorchCheckpoint.decode($0) }
        }
    }

    func testMutatedZipArchivesNeverCrash() throws {
        var generator = SeededGenerator(seed: 99)
        let data = [UInt8](try StandardFixture.fixture.zipFile())
        for _ in 0..<200 {
            _ = survives(Data(mutate(data, &generator))) { try PyTorchCheckpoint.decode($0) }
        }
    }

    func testMutatedSafetensorsNeverCrash() throws {
        var generator = SeededGenerator(seed: 3)
        let bytes = [UInt8](try Safetensors.encode(try PyTorchCheckpoint.decode(Data(StandardFixture.fixture.legacyFile()))))
        for _ in 0..<400 {
            _ = survives(Data(mutate(bytes, &generator))) { try Safetensors.decode($0) }
        }
    }
}
