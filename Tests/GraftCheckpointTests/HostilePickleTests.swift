import Foundation
@testable import GraftCheckpoint
import XCTest

/// Pickles that torch never writes but an attacker might: code execution, lies about sizes,
/// broken stacks, absurd nesting. Each must end in a `CheckpointError`, never in running code,
/// a crash or a huge allocation.
final class HostilePickleTests: XCTestCase {
    /// The object pickle in both file formats.
    /// (A pickle that ends early can only be tested alone in the zip format: in a legacy file the
    /// unpickler goes on into the next pickle, as Python's would.)
    private func decodeBoth(_ build: (inout PickleBuilder) -> Void, storages: [CheckpointFixture.Storage] = [],
                            formats: Set<CheckpointFixture.Format> = [.legacy, .zip],
                            naming fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        var pickle = PickleBuilder()
        build(&pickle)
        if formats.contains(.legacy) {
            assertCheckpointError(try PyTorchCheckpoint.decode(Data(legacyFile(objectPickle: pickle.bytes, storages: storages)), source: "evil.pth"),
                                  naming: ["evil.pth"] + fragments, file: file, line: line)
        }
        guard formats.contains(.zip) else { return }
        var fixture = CheckpointFixture()
        fixture.storages = storages
        do {
            let zip = try fixture.zipFile(replacePickle: pickle.bytes)
            assertCheckpointError(try PyTorchCheckpoint.decode(zip, source: "evil.pt"),
                                  naming: ["evil.pt"] + fragments, file: file, line: line)
        } catch {
            XCTFail("cannot build the zip: \(error)", file: file, line: line)
        }
    }

    func testCodeExecutionGlobalsAreRefusedAndNeverRun() {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("graft-pwned-\(UUID().uuidString)")
        decodeBoth({ p in
            p.proto(2); p.global("os", "system"); p.unicode("touch \(marker.path)"); p.tuple1(); p.reduce(); p.stop()
        }, naming: ["'os.system'", "refused"])
        decodeBoth({ p in
            p.proto(4); p.stackGlobal("builtins", "eval"); p.unicode("__import__('os').system('touch \(marker.path)')")
            p.tuple1(); p.reduce(); p.stop()
        }, naming: ["'builtins.eval'"])
        decodeBoth({ p in
            p.proto(2); p.global("__builtin__", "getattr"); p.global("os", "system"); p.tuple1(); p.reduce(); p.stop()
        }, naming: ["'__builtin__.getattr'"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: marker.path), "a refused global ran")
    }

    func testOtherGlobalsAreRefusedByName() {
        for global in [("subprocess", "Popen"), ("torch.nn.modules.conv", "Conv2d"), ("numpy.core.multiarray", "_reconstruct"),
                       ("torch", "load"), ("collections", "defaultdict"), ("torch._utils", "_rebuild_device_tensor_from_numpy")] {
            decodeBoth({ p in p.proto(2); p.global(global.0, global.1); p.stop() }, naming: ["'\(global.0).\(global.1)'"])
        }
    }

    func testOpcodesThatBuildObjectsAreRefused() {
        decodeBoth({ p in p.proto(2); p.mark(); p.raw(Array("ios\nsystem\n".utf8)); p.stop() }, naming: ["INST"])
        decodeBoth({ p in p.proto(2); p.mark(); p.none(); p.op(0x6f); p.stop() }, naming: ["OBJ"])
        decodeBoth({ p in p.proto(2); p.raw([0x82, 1]); p.stop() }, naming: ["EXT1"])
        decodeBoth({ p in p.proto(2); p.raw(Array("I12\n".utf8)); p.stop() }, naming: ["INT"])
        decodeBoth({ p in p.proto(2); p.op(0xff); p.stop() }, naming: ["unknown pickle opcode 0xff"])
    }

    func testBrokenStacksAndMemos() {
        decodeBoth({ p in p.proto(2); p.reduce(); p.stop() }, naming: ["stack underflow"])
        decodeBoth({ p in p.proto(2); p.stop() }, naming: ["stack underflow"])
        decodeBoth({ p in p.proto(2); p.none(); p.mark(); p.tuple1(); p.stop() }, naming: ["stack underflow"])
        decodeBoth({ p in p.proto(2); p.none(); p.tuple(); p.stop() }, naming: ["no MARK"])
        decodeBoth({ p in p.proto(2); p.binGet(5); p.stop() }, naming: ["memo has no entry 5"])
        decodeBoth({ p in p.proto(2); p.longBinGet(.max); p.stop() }, naming: ["memo has no entry 4294967295"])
        decodeBoth({ p in p.proto(2); p.binPut(0); p.stop() }, naming: ["stack underflow"])
        decodeBoth({ p in p.proto(2); p.none(); p.none(); p.append(); p.stop() }, naming: ["APPEND to None"])
        decodeBoth({ p in p.proto(2); p.emptyList(); p.none(); p.none(); p.setItem(); p.stop() }, naming: ["SETITEM on list"])
        decodeBoth({ p in p.proto(2); p.emptyDict(); p.emptyList(); p.none(); p.setItem(); p.stop() }, naming: ["unhashable"])
        decodeBoth({ p in p.proto(2); p.emptyList(); p.emptyDict(); p.build(); p.stop() }, naming: ["BUILD on list"])
        decodeBoth({ p in p.proto(2); p.unicode("x"); p.emptyTuple(); p.reduce(); p.stop() }, naming: ["not callable"])
        decodeBoth({ p in p.proto(2); p.global("torch", "FloatStorage"); p.emptyTuple(); p.reduce(); p.stop() },
                   naming: ["torch.FloatStorage cannot be called"])
        decodeBoth({ p in p.proto(6); p.none(); p.stop() }, naming: ["protocol 6"])
        decodeBoth({ p in p.proto(2); p.emptyDict() }, formats: [.zip], naming: ["truncated", "no STOP"])
    }

    func testLengthsLargerThanTheFileAreRefusedBeforeAllocating() {
        decodeBoth({ p in p.proto(4); p.op(0x8d); p.raw(littleEndianBytes(UInt64.max)); p.stop() }, naming: ["truncated", "BINUNICODE8"])
        decodeBoth({ p in p.proto(4); p.op(0x8e); p.raw(littleEndianBytes(UInt64(1) << 62)); p.stop() }, naming: ["truncated"])
        decodeBoth({ p in p.proto(2); p.op(0x42); p.raw(littleEndianBytes(UInt32.max)); p.stop() }, naming: ["truncated", "BINBYTES"])
        decodeBoth({ p in p.proto(2); p.op(0x54); p.raw(littleEndianBytes(Int32(-5))); p.stop() }, naming: ["negative BINSTRING length"])
        decodeBoth({ p in p.proto(2); p.op(0x8b); p.raw(littleEndianBytes(Int32.max)); p.stop() }, naming: ["truncated", "LONG"])
        decodeBoth({ p in p.proto(4); p.frame(1 << 40); p.none(); p.stop() }, naming: ["truncated", "FRAME"])
        decodeBoth({ p in p.proto(2); p.raw(Array("cos\nsys".utf8)) }, formats: [.zip], naming: ["truncated", "GLOBAL name"])
    }

    // MARK: Tensors that lie about their storage

    /// `{"w": _rebuild_tensor_v2(storage(numel), offset, size, stride, False, OrderedDict())}`.
    private func tensorPickle(numel: Int, offset: Int, size: [Int], stride: [Int], tensors: Int = 1) -> (inout PickleBuilder) -> Void {
        { p in
            p.proto(2)
            p.emptyDict()
            p.mark()
            for index in 0..<tensors {
                p.unicode("w\(index)")
                p.global("torch._utils", "_rebuild_tensor_v2")
                p.mark()
                p.mark(); p.unicode("storage"); p.global("torch", "FloatStorage"); p.unicode("0"); p.unicode("cpu"); p.int(numel); p.tuple()
                p.binPersistentID()
                p.int(offset)
                p.mark(); size.forEach { p.int($0) }; p.tuple()
                p.mark(); stride.forEach { p.int($0) }; p.tuple()
                p.bool(false)
                p.global("collections", "OrderedDict"); p.emptyTuple(); p.reduce()
                p.tuple()
                p.reduce()
            }
            p.setItems()
            p.stop()
        }
    }

    private let twelve = [CheckpointFixture.floatStorage("0", StandardFixture.shared)]

    func testTensorsOutsideTheirStorageAreRefused() {
        decodeBoth(tensorPickle(numel: 12, offset: 10, size: [5], stride: [1]), storages: twelve, naming: ["reach element 14", "'0'"])
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [4, 3], stride: [4, 1]), storages: twelve, naming: ["reach element 14"])
        decodeBoth(tensorPickle(numel: 12, offset: 13, size: [0], stride: [1]), storages: twelve, naming: ["past the end"])
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [2, 3], stride: [3]), storages: twelve, naming: ["differ in length"])
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [1 << 62, 4], stride: [0, 0]), storages: twelve, naming: ["overflows"])
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [2], stride: [1 << 62]), storages: twelve, naming: ["reach element"])
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [3], stride: [Int.max]), storages: twelve, naming: ["overflows"])
    }

    func testNegativeSizesStridesAndOffsetsAreRefused() {
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [-1], stride: [1]), storages: twelve, naming: ["negative"])
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [2], stride: [-1]), storages: twelve, naming: ["negative"])
        decodeBoth(tensorPickle(numel: 12, offset: -3, size: [2], stride: [1]), storages: twelve, naming: ["negative"])
        decodeBoth(tensorPickle(numel: -12, offset: 0, size: [2], stride: [1]), storages: twelve, naming: ["negative"])
    }

    func testStoragesLargerThanTheFileAreRefused() {
        // The pickle claims a trillion elements; the file has twelve.
        decodeBoth(tensorPickle(numel: 1 << 40, offset: 0, size: [4], stride: [1]), storages: twelve, naming: ["'0'"])
        // Consistent lies: the legacy count agrees with the pickle, but the bytes are not there.
        var fixture = CheckpointFixture()
        fixture.storages = [CheckpointFixture.Storage(key: "0", type: .float32, bytes: [0, 0, 0, 0], elementCount: 1 << 40)]
        fixture.tensors = [.init(name: "w", storageKey: "0", offset: 0, shape: [4], strides: [1])]
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(fixture.legacyFile())), naming: ["truncated", "storage '0'"])
        assertCheckpointError(try PyTorchCheckpoint.decode(try fixture.zipFile()), naming: ["'0'", "4 bytes"])
        fixture.storages = [CheckpointFixture.Storage(key: "0", type: .float32, bytes: [], elementCount: Int.max / 2)]
        assertCheckpointError(try PyTorchCheckpoint.decode(Data(fixture.legacyFile())), naming: ["'0'"])
        assertCheckpointError(try PyTorchCheckpoint.decode(try fixture.zipFile()), naming: ["'0'"])
    }

    func testManyViewsOfOneStorageCannotAmplifyMemory() {
        // A broadcast view claims 2^40 elements from a one-element storage.
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [1 << 40], stride: [0]), storages: twelve, naming: ["claim", "hold 12"])
        // Or many full views: twelve views of twelve elements is more than four times the data.
        decodeBoth(tensorPickle(numel: 12, offset: 0, size: [12], stride: [1], tensors: 12), storages: twelve, naming: ["claim 60"])
    }

    func testConflictingStorageDeclarationsAreRefused() {
        decodeBoth({ p in
            p.proto(2)
            p.mark(); p.unicode("storage"); p.global("torch", "FloatStorage"); p.unicode("0"); p.unicode("cpu"); p.int(12); p.tuple()
            p.binPersistentID()
            p.mark(); p.unicode("storage"); p.global("torch", "HalfStorage"); p.unicode("0"); p.unicode("cpu"); p.int(12); p.tuple()
            p.binPersistentID()
            p.stop()
        }, storages: twelve, naming: ["storage '0' is declared as 12 float32 and as 12 float16"])
        decodeBoth({ p in p.proto(2); p.unicode("storage"); p.binPersistentID(); p.stop() }, naming: ["persistent id"])
        decodeBoth({ p in
            p.proto(2); p.global("torch._utils", "_rebuild_tensor_v2"); p.mark(); p.int(1); p.int(0); p.emptyTuple(); p.emptyTuple()
            p.bool(false); p.none(); p.tuple(); p.reduce(); p.stop()
        }, naming: ["needs a storage, not int"])
    }

    // MARK: Structures that would exhaust the stack

    func testDeepNestingNeitherCrashesNorRecurses() {
        // Three hundred thousand nested tuples: freeing them one inside the other would overflow the stack.
        decodeBoth({ p in
            p.proto(2); p.emptyTuple()
            for _ in 0..<300_000 { p.tuple1() }
            p.stop()
        }, naming: ["tuple", "not a dict"])
        // Nesting built by mutation: list i+1 appended to list i, fetched back from the memo.
        decodeBoth({ p in
            p.proto(2); p.emptyList(); p.longBinPut(0); p.pop()
            for index in 0..<200_000 {
                p.longBinGet(UInt32(index)); p.emptyList(); p.longBinPut(UInt32(index + 1)); p.append(); p.pop()
            }
            p.longBinGet(0); p.stop()
        }, naming: ["list", "not a dict"])
    }

    func testSelfContainingContainersAreHarmless() {
        decodeBoth({ p in
            p.proto(2); p.emptyDict(); p.binPut(0); p.unicode("me"); p.binGet(0); p.setItem(); p.stop()
        }, naming: ["no dict of tensors", "'me'"])
    }
}
