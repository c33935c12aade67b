import Foundation
@testable import GraftCheckpoint
import XCTest

/// Both torch.save formats, written by the tests as torch writes them, read back exactly.
final class PyTorchFormatTests: XCTestCase {
    func testLegacyFormat() throws {
        let bytes = StandardFixture.fixture.legacyFile()
        StandardFixture.verify(try PyTorchCheckpoint.decode(Data(bytes), source: "legacy.pth"))
    }

    func testLegacyFormatWithStoragesInAnotherOrder() throws {
        let bytes = StandardFixture.fixture.legacyFile(storageOrder: ["5", "3", "1", "0", "4", "2"])
        StandardFixture.verify(try PyTorchCheckpoint.decode(Data(bytes)))
    }

    func testLegacyFormatWithAnotherPickleProtocol() throws {
        StandardFixture.verify(try PyTorchCheckpoint.decode(Data(StandardFixture.fixture.legacyFile(headerProtocol: 4))))
    }

    func testZipFormat() throws {
        StandardFixture.verify(try PyTorchCheckpoint.decode(try StandardFixture.fixture.zipFile(), source: "new.pt"))
    }

    func testZipFormatWithCompressedEntriesIsRefused() throws {
        // torch.save never compresses; see ZipFormatReader.extract for why compressed entries are refused.
        assertCheckpointError(try PyTorchCheckpoint.decode(try StandardFixture.fixture.zipFile(compressed: true), source: "c.pt"),
                              naming: ["c.pt", "is compressed"])
    }

    func testReadsFilesAndDetectsTheFormat() throws {
        let folder = try temporaryFolder()
        let legacy = folder.appendingPathComponent("legacy.pth")
        let zip = folder.appendingPathComponent("zip.pt")
        try Data(StandardFixture.fixture.legacyFile()).write(to: legacy)
        try StandardFixture.fixture.zipFile().write(to: zip)
        StandardFixture.verify(try PyTorchCheckpoint.read(contentsOf: legacy))
        StandardFixture.verify(try Checkpoint.read(contentsOf: zip))
        XCTAssertEqual(try Checkpoint.read(contentsOf: legacy).source, legacy.path)
    }

    func testMissingFileIsNamed() {
        assertCheckpointError(try Checkpoint.read(contentsOf: URL(fileURLWithPath: "/nonexistent/w.pth")),
                              naming: ["/nonexistent/w.pth"])
    }

    func testUnknownBytesAreBadMagic() {
        assertCheckpointError(try PyTorchCheckpoint.decode(Data("hello world".utf8), source: "x.bin"),
                              naming: ["x.bin", "68 65 6c"])
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(), source: "empty.pth"), naming: ["empty"])
    }

    func testLegacyWrongMagicNumberIsBadMagic() {
        var bytes = StandardFixture.fixture.legacyFile()
        bytes[5] ^= 0xff
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(bytes), source: "m.pth"), naming: ["m.pth", "magic"])
    }

    func testBigEndianZipIsRefused() throws {
        let data = try StandardFixture.fixture.zipFile(extraEntries: ["archive/byteorder": Array("big".utf8)])
        assertCheckpointError(try PyTorchCheckpoint.decode(data, source: "be.pt"), naming: ["byte order", "big"])
    }

    func testZipWithoutStorageEntryNamesTheStorage() throws {
        let data = try StandardFixture.fixture.zipFile(omitting: ["archive/data/3"])
        assertCheckpointError(try PyTorchCheckpoint.decode(data, source: "z.pt"), naming: ["z.pt", "'3'", "archive/data/3"])
    }

    func testZipWithoutPickleIsRefused() throws {
        let data = try StandardFixture.fixture.zipFile(omitting: ["archive/data.pkl"])
        assertCheckpointError(try PyTorchCheckpoint.decode(data, source: "z.pt"), naming: ["data.pkl"])
    }

    func testZipStorageOfWrongSizeIsRefused() throws {
        let data = try StandardFixture.fixture.zipFile(extraEntries: ["archive/data/0": [1, 2, 3, 4]])
        assertCheckpointError(try PyTorchCheckpoint.decode(data, source: "z.pt"), naming: ["'0'", "4 bytes", "48"])
    }

    func testLegacyStorageCountDisagreeingWithPickleIsRefused() {
        let bytes = StandardFixture.fixture.legacyFile(writtenCounts: ["0": 11])
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(bytes), source: "c.pth"), naming: ["c.pth", "'0'", "11", "12"])
    }

    func testLegacyStorageMissingFromTheKeyListIsRefused() {
        let bytes = StandardFixture.fixture.legacyFile(storageOrder: ["0", "1", "2", "3", "4"])
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(bytes), source: "k.pth"), naming: ["'5'", "no data"])
    }

    func testLegacyStorageViewMetadata() throws {
        // Very old files point a tensor into part of a storage: ('storage', type, root, 'cpu', 12, ('view', 4, 6)).
        var pickle = PickleBuilder()
        pickle.proto(2)
        pickle.emptyDict()
        pickle.unicode("w")
        pickle.global("torch._utils", "_rebuild_tensor")
        pickle.mark()
        pickle.mark()
        pickle.unicode("storage"); pickle.global("torch", "FloatStorage"); pickle.unicode("0"); pickle.unicode("cpu")
        pickle.int(12)
        pickle.unicode("view"); pickle.int(4); pickle.int(6); pickle.tuple3()
        pickle.tuple()
        pickle.binPersistentID()
        pickle.int(1)
        pickle.intTuple([2, 2])
        pickle.intTuple([1, 2])
        pickle.tuple()
        pickle.reduce()
        pickle.setItem()
        pickle.stop()
        let file = legacyFile(objectPickle: pickle.bytes, storages: [CheckpointFixture.floatStorage("0", StandardFixture.shared)])
        let checkpoint = try PyTorchCheckpoint.decode(Data(file))
        let s = StandardFixture.shared
        // View starts at 4; the tensor at view offset 1: element (i, j) is 5 + i + 2j.
        assertSameBits(checkpoint["w"]!.floatValues, [s[5], s[7], s[6], s[8]])
    }

    func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("graft-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: folder) }
        return folder
    }
}

/// A legacy file around any object pickle.
func legacyFile(objectPickle: [UInt8], storages: [CheckpointFixture.Storage]) -> [UInt8] {
    var fixture = CheckpointFixture()
    fixture.storages = storages
    let standard = fixture.legacyFile()
    // The fixture's own (empty) object pickle sits between the system info and the keys; swap it.
    let empty = fixture.objectPickle(.legacy)
    let start = standard.indices.first { standard[$0..<min($0 + empty.count, standard.count)].elementsEqual(empty) }!
    return Array(standard[..<start]) + objectPickle + Array(standard[(start + empty.count)...])
}
