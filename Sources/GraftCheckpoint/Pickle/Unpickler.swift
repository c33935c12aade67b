/// Interprets a pickle as data, never as code: it builds values on a stack, and the only calls
/// it performs are those of `AllowedGlobal`, which it implements itself. Every length is
/// checked against the bytes left, every stack pop against the stack (and its innermost mark),
/// every memo lookup against the memo, so that a hostile file yields an error, not a crash.
final class Unpickler {
    private var reader: ByteReader
    private var stack: [PickleValue] = []
    /// Stack heights at each MARK; items above the innermost one are what TUPLE, LIST, ... take.
    private var marks: [Int] = []
    /// Sparse: a pickle may PUT at any 32-bit index, and a dictionary costs only what is used.
    private var memo: [UInt32: PickleValue] = [:]
    private let arena = PickleArena()
    /// Storages named by persistent ids so far.
    private(set) var storages: StorageTable
    private var opcodeOffset = 0

    private init(reader: ByteReader, storages: StorageTable) {
        self.reader = reader
        self.storages = storages
    }

    /// Unpickles one pickle starting at `reader`'s position and hands its value to `body`; the
    /// value is only valid inside `body`. Afterwards `reader` is past the STOP opcode and
    /// `storages` includes every storage the pickle referred to.
    static func unpickle<Result>(_ reader: inout ByteReader, storages: inout StorageTable,
                                 _ body: (PickleValue) throws -> Result) throws -> Result {
        let unpickler = Unpickler(reader: reader, storages: storages)
        defer { unpickler.arena.releaseAll() }
        let value = try unpickler.run()
        let result = try body(value)
        reader = unpickler.reader
        storages = unpickler.storages
        return result
    }

    /// For the calls in Unpickler+Calls, which make dicts too.
    func makeDictionary() -> PickleDictionary { arena.makeDictionary() }

    func fail(_ reason: String) -> CheckpointError {
        .malformedPickle(source: reader.source, offset: opcodeOffset, reason: reason)
    }

    private func run() throws -> PickleValue {
        while true {
            opcodeOffset = reader.position
            let byte = try reader.readUInt8(for: "pickle opcode (the pickle has no STOP)")
            guard let opcode = PickleOpcode(rawValue: byte) else {
                throw CheckpointError.unknownOpcode(source: reader.source, offset: opcodeOffset, opcode: byte)
            }
            if opcode == .stop { return try pop() }
            do {
                try execute(opcode)
            } catch let invalid as InvalidPickleData {
                throw fail(invalid.reason)
            }
        }
    }

    // MARK: Stack

    private var floor: Int { marks.last ?? 0 }

    private func push(_ value: PickleValue) { stack.append(value) }

    private func pop() throws -> PickleValue {
        guard stack.count > floor else { throw fail("stack underflow") }
        return stack.removeLast()
    }

    private func top() throws -> PickleValue {
        guard stack.count > floor, let value = stack.last else { throw fail("stack underflow") }
        return value
    }

    /// The items pushed since the innermost MARK, which is removed.
    private func popToMark() throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    // MARK: Opcodes

    private func execute(_ opcode: PickleOpcode) throws {
        switch opcode {
        case .proto:
            let version = try reader.readUInt8(for: "PROTO version")
            guard version <= 5 else { throw fail("pickle protocol \(version) is newer than 5") }
        case .frame:
            // Only a hint for buffering; checked so a bogus length is reported where it is.
            _ = try reader.require(try reader.readUInt64(for: "FRAME length"), for: "FRAME")
        case .stop:
            preconditionFailure("STOP is handled by run()")

        case .mark: marks.append(stack.count)
        case .pop:
            if stack.count == floor, !marks.isEmpty { marks.removeLast() } else { _ = try pop() }
        case .popMark: _ = try popToMark()
        case .dup: push(try top())

        case .none: push(.none)
        case .newTrue: push(.bool(true))
        case .newFalse: push(.bool(false))
        case .binInt: push(.int(Int64(try reader.readInt32(for: "BININT"))))
        case .binInt1: push(.int(Int64(try reader.readUInt8(for: "BININT1"))))
        case .binInt2: push(.int(Int64(try reader.readUInt16(for: "BININT2"))))
        case .long1: push(try readLong(length: UInt64(try reader.readUInt8(for: "LONG1 length"))))
        case .long4:
            let length = try reader.readInt32(for: "LONG4 length")
            guard length >= 0 else { throw fail("negative LONG4 length \(length)") }
            push(try readLong(length: UInt64(length)))
        case .binFloat: push(.float(try reader.readBigEndianDouble(for: "BINFLOAT")))

        case .shortBinUnicode:
            push(try readText(UInt64(try reader.readUInt8(for: "SHORT_BINUNICODE length")), for: "SHORT_BINUNICODE"))
        case .binUnicode: push(try readText(UInt64(try reader.readUInt32(for: "BINUNICODE length")), for: "BINUNICODE"))
        case .binUnicode8: push(try readText(try reader.readUInt64(for: "BINUNICODE8 length"), for: "BINUNICODE8"))
        // Python 2 str; torch loads it as UTF-8, and so do we.
        case .shortBinString:
            push(try readText(UInt64(try reader.readUInt8(for: "SHORT_BINSTRING length")), for: "SHORT_BINSTRING"))
        case .binString:
            let length = try reader.readInt32(for: "BINSTRING length")
            guard length >= 0 else { throw fail("negative BINSTRING length \(length)") }
            push(try readText(UInt64(length), for: "BINSTRING"))
        case .shortBinBytes: push(.bytes(try reader.readBytes(UInt64(try reader.readUInt8(for: "SHORT_BINBYTES length")), for: "SHORT_BINBYTES")))
        case .binBytes: push(.bytes(try reader.readBytes(UInt64(try reader.readUInt32(for: "BINBYTES length")), for: "BINBYTES")))
        case .binBytes8: push(.bytes(try reader.readBytes(try reader.readUInt64(for: "BINBYTES8 length"), for: "BINBYTES8")))

        case .emptyTuple: push(.tuple(arena.makeSequence([])))
        case .tuple1, .tuple2, .tuple3:
            let count = Int(opcode.rawValue - PickleOpcode.tuple1.rawValue) + 1
            var items: [PickleValue] = []
            for _ in 0..<count { items.append(try pop()) }
            push(.tuple(arena.makeSequence(items.reversed())))
        case .tuple: push(.tuple(arena.makeSequence(try popToMark())))
        case .emptyList: push(.list(arena.makeSequence([])))
        case .list: push(.list(arena.makeSequence(try popToMark())))
        case .append:
            let item = try pop()
            try appendToList(try top(), [item])
        case .appends:
            let items = try popToMark()
            try appendToList(try top(), items)
        case .emptyDict: push(.dict(arena.makeDictionary()))
        case .dict:
            let dictionary = arena.makeDictionary()
            try setItems(dictionary, try popToMark())
            push(.dict(dictionary))
        case .setItem:
            let value = try pop()
            let key = try pop()
            try setItems(try dictionaryOnTop(), [key, value])
        case .setItems:
            let items = try popToMark()
            try setItems(try dictionaryOnTop(), items)

        case .binPut: try put(UInt32(try reader.readUInt8(for: "BINPUT index")))
        case .longBinPut: try put(try reader.readUInt32(for: "LONG_BINPUT index"))
        case .memoize:
            guard memo.count < UInt32.max else { throw fail("memo is full") }
            try put(UInt32(memo.count))
        case .binGet: push(try get(UInt32(try reader.readUInt8(for: "BINGET index"))))
        case .longBinGet: push(try get(try reader.readUInt32(for: "LONG_BINGET index")))

        case .global:
            let module = try readGlobalNamePart("GLOBAL module")
            let name = try readGlobalNamePart("GLOBAL name")
            push(.global(try resolveGlobal(module: module, name: name)))
        case .stackGlobal:
            let name = try pop()
            let module = try pop()
            guard case .string(let moduleName) = module, case .string(let globalName) = name else {
                throw fail("STACK_GLOBAL needs two str, not \(module.kind) and \(name.kind)")
            }
            push(.global(try resolveGlobal(module: moduleName, name: globalName)))
        case .reduce:
            let arguments = try pop()
            let callable = try pop()
            push(try call(callable, arguments: arguments))
        case .newObj:
            let arguments = try pop()
            let type = try pop()
            push(try instantiate(type, arguments: arguments))
        case .build:
            let state = try pop()
            try build(try top(), state: state)
        case .binPersistentID:
            let storage = try StorageReference(persistentID: try pop())
            try storages.declare(storage)
            push(.storage(storage))

        case .int, .long, .float, .string, .unicode, .get, .put, .persistentID, .inst, .obj,
             .ext1, .ext2, .ext4, .newObjEx, .emptySet, .addItems, .frozenSet,
             .byteArray8, .nextBuffer, .readonlyBuffer:
            throw CheckpointError.unsupportedOpcode(source: reader.source, offset: opcodeOffset, name: opcode.refusedName)
        }
    }

    // MARK: Operands

    private func readLong(length: UInt64) throws -> PickleValue {
        let bytes = try reader.readBytes(length, for: "LONG1/LONG4")
        guard bytes.count <= 8 else { return .bigInt(Array(bytes)) }
        guard let last = bytes.last else { return .int(0) }
        // Little-endian two's complement: sign-extend from the top byte.
        var value: UInt64 = last & 0x80 != 0 ? UInt64.max : 0
        for byte in bytes.reversed() { value = value << 8 | UInt64(byte) }
        return .int(Int64(bitPattern: value))
    }

    private func readText(_ length: UInt64, for opcode: String) throws -> PickleValue {
        let bytes = try reader.readBytes(length, for: opcode)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("\(opcode) is not valid UTF-8") }
        return .string(text)
    }

    private func readGlobalNamePart(_ what: String) throws -> String {
        let bytes = try reader.readLine(for: what)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("\(what) is not valid UTF-8") }
        return text
    }

    private func resolveGlobal(module: String, name: String) throws -> AllowedGlobal {
        guard let global = AllowedGlobal(module: module, name: name) else {
            throw CheckpointError.disallowedGlobal(source: reader.source, offset: opcodeOffset, global: "\(module).\(name)")
        }
        return global
    }

    // MARK: Containers and memo

    private func appendToList(_ target: PickleValue, _ items: [PickleValue]) throws {
        guard case .list(let list) = target else { throw fail("APPEND to \(target.kind), not a list") }
        list.items.append(contentsOf: items)
    }

    private func dictionaryOnTop() throws -> PickleDictionary {
        let target = try top()
        guard case .dict(let dictionary) = target else { throw fail("SETITEM on \(target.kind), not a dict") }
        return dictionary
    }

    private func setItems(_ dictionary: PickleDictionary, _ items: [PickleValue]) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of items for a dict") }
        for index in stride(from: 0, to: items.count, by: 2) {
            guard dictionary.set(items[index + 1], for: items[index]) else {
                throw fail("unhashable dict key of type \(items[index].kind)")
            }
        }
    }

    private func put(_ index: UInt32) throws {
        memo[index] = try top()
    }

    private func get(_ index: UInt32) throws -> PickleValue {
        guard let value = memo[index] else { throw fail("memo has no entry \(index)") }
        return value
    }
}
