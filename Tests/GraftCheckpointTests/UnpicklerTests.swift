@testable import GraftCheckpoint
import XCTest

/// The opcodes a state dict may use, each checked for the value it makes.
final class UnpicklerTests: XCTestCase {
    private func unpickle<T>(_ build: (inout PickleBuilder) -> Void, _ inspect: (PickleValue) throws -> T) throws -> T {
        var pickle = PickleBuilder()
        build(&pickle)
        var reader = ByteReader(pickle.bytes, source: "test")
        var storages = StorageTable()
        let result = try Unpickler.unpickle(&reader, storages: &storages, inspect)
        XCTAssertTrue(reader.isAtEnd, "the reader should stop right after STOP")
        return result
    }

    private func items(_ value: PickleValue) -> [PickleValue] { value.sequenceItems ?? [] }

    func testScalars() throws {
        let values = try unpickle({ p in
            p.proto(4); p.frame(50); p.mark()
            p.int(7); p.int(300); p.int(-5); p.int(70000)
            p.long1(-129); p.long1(1 << 40); p.long1(bytes: []); p.long1(bytes: LegacyFormatReader.magicNumber)
            p.float(-0.1); p.none(); p.bool(true); p.bool(false)
            p.shortUnicode("ä"); p.unicode("wörd"); p.unicode8("x"); p.shortBinString("py2"); p.binString("str")
            p.shortBinBytes([1, 2]); p.binBytes([3]); p.binBytes8([])
            p.list(); p.stop()
        }) { value in items(value).map { "\($0)" } }
        XCTAssertEqual(values, [
            "int(7)", "int(300)", "int(-5)", "int(70000)", "int(-129)", "int(1099511627776)", "int(0)",
            "bigInt(\(LegacyFormatReader.magicNumber))", "float(-0.1)", "none", "bool(true)", "bool(false)",
            "string(\"ä\")", "string(\"wörd\")", "string(\"x\")", "string(\"py2\")", "string(\"str\")",
            "bytes(ArraySlice([1, 2]))", "bytes(ArraySlice([3]))", "bytes(ArraySlice([]))",
        ])
    }

    func testContainersAndMemo() throws {
        let description = try unpickle({ p in
            p.proto(4)
            p.emptyDict(); p.memoize()                                 // memo 0: the dict
            p.shortUnicode("list"); p.emptyList(); p.longBinPut(70000)  // memo 70000: the list
            p.int(1); p.append(); p.mark(); p.int(2); p.int(3); p.appends()
            p.setItem()
            p.mark(); p.shortUnicode("tuples"); p.mark(); p.int(1); p.tuple1(); p.int(1); p.int(2); p.tuple2(); p.int(1); p.int(2); p.int(3); p.tuple3()
            p.emptyTuple(); p.mark(); p.int(4); p.tuple(); p.list()
            p.shortUnicode("dict"); p.mark(); p.shortUnicode("k"); p.int(9); p.dict()
            p.setItems()
            p.shortUnicode("again"); p.longBinGet(70000); p.setItem()     // the same list object, appended to above
            p.shortUnicode("stack ops"); p.int(5); p.dup(); p.pop(); p.mark(); p.int(99); p.popMark(); p.setItem()
            p.shortUnicode("list"); p.none(); p.setItem()                 // overwrites in place, keeping position
            p.stop()
        }) { value -> String in
            guard case .dict(let dict) = value else { return "not a dict" }
            return dict.entries.map { entry -> String in
                func show(_ v: PickleValue) -> String {
                    switch v {
                    case .int(let n): return "\(n)"
                    case .string(let s): return s
                    case .none: return "None"
                    case .tuple(let t): return "(" + t.items.map(show).joined(separator: ",") + ")"
                    case .list(let l): return "[" + l.items.map(show).joined(separator: ",") + "]"
                    case .dict(let d): return "{" + d.entries.map { show($0.key) + ":" + show($0.value) }.joined(separator: ",") + "}"
                    default: return v.kind
                    }
                }
                return show(entry.key) + "=" + show(entry.value)
            }.joined(separator: " ")
        }
        XCTAssertEqual(description, "list=None tuples=[(1),(1,2),(1,2,3),(),(4)] dict={k:9} again=[1,2,3] stack ops=5")
    }

    func testOrderedDictByNewObjAndFromPairs() throws {
        let count = try unpickle({ p in
            p.proto(2)
            p.global("collections", "OrderedDict"); p.emptyTuple(); p.newObj()
            p.unicode("a")
            p.global("collections", "OrderedDict"); p.mark(); p.unicode("x"); p.int(1); p.tuple2(); p.unicode("y"); p.int(2); p.tuple2(); p.list(); p.tuple1(); p.reduce()
            p.setItem()
            p.stop()
        }) { value -> Int in
            guard case .dict(let outer) = value, case .dict(let inner)? = outer.value(for: "a") else { return -1 }
            return inner.entries.count
        }
        XCTAssertEqual(count, 2)
    }

    func testEndWithoutStopIsTruncation() {
        XCTAssertThrowsError(try unpickle({ p in p.proto(2); p.emptyDict() }) { _ in }) { error in
            XCTAssert("\(error)".contains("no STOP"), "\(error)")
        }
    }

    func testHalfConversionMatchesFloat16ForEveryBitPattern() {
        for bits in UInt16.min...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = floatFromHalfBits(bits)
            if expected.isNaN {
                XCTAssert(actual.isNaN && actual.sign == expected.sign, "\(bits)")
            } else {
                XCTAssertEqual(actual.bitPattern, expected.bitPattern, "half bits \(bits)")
            }
        }
    }
}
