import Foundation
import GraftCheckpoint
import XCTest

/// Training scripts often save `{"state_dict": ..., "epoch": ...}`; the reader finds the
/// tensors, or takes the key it is given, and says what it saw when it cannot.
final class StateDictSelectionTests: XCTestCase {
    private func wrapped(_ keys: [String]) throws -> (legacy: Data, zip: Data) {
        var fixture = StandardFixture.fixture
        fixture.wrapperKeys = keys
        return (Data(fixture.legacyFile()), try fixture.zipFile())
    }

    func testFindsTheOnlyDictOfTensors() throws {
        let files = try wrapped(["model"])
        StandardFixture.verify(try PyTorchCheckpoint.decode(files.legacy))
        StandardFixture.verify(try PyTorchCheckpoint.decode(files.zip))
    }

    func testPrefersConventionalKeys() throws {
        let files = try wrapped(["ema", "state_dict"])
        StandardFixture.verify(try PyTorchCheckpoint.decode(files.legacy))
    }

    func testTakesTheNamedKey() throws {
        let files = try wrapped(["ema", "state_dict"])
        StandardFixture.verify(try PyTorchCheckpoint.decode(files.zip, stateDictKey: "ema"))
    }

    func testAmbiguousWrappingAsksForAKey() throws {
        let files = try wrapped(["student", "teacher"])
        assertCheckpointError(try PyTorchCheckpoint.decode(files.legacy, source: "two.pth"),
                              naming: ["two.pth", "'student'", "'teacher'", "name one"])
    }

    func testUnknownKeyListsTheKeysThereAre() throws {
        let files = try wrapped(["model"])
        assertCheckpointError(try PyTorchCheckpoint.decode(files.legacy, source: "w.pth", stateDictKey: "net"),
                              naming: ["w.pth", "'net'", "'epoch'", "'model'"])
        assertCheckpointError(try PyTorchCheckpoint.decode(files.legacy, stateDictKey: "epoch"),
                              naming: ["'epoch'", "int"])
    }

    func testTopLevelThatIsNotADictIsRefused() {
        var pickle = PickleBuilder()
        pickle.proto(2); pickle.emptyList(); pickle.stop()
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(legacyFile(objectPickle: pickle.bytes, storages: []))),
                              naming: ["list", "not a dict"])
    }

    func testEmptyStateDictIsEmpty() throws {
        var pickle = PickleBuilder()
        pickle.proto(2); pickle.emptyDict(); pickle.stop()
        XCTAssertEqual(try PyTorchCheckpoint.decode(Data(legacyFile(objectPickle: pickle.bytes, storages: []))).tensors, [])
    }
}
