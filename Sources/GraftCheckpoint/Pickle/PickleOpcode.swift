/// The pickle opcodes (protocols 0 to 5), by byte. Those a state dict needs are interpreted;
/// the rest are named in the error that refuses them.
enum PickleOpcode: UInt8 {
    case mark = 0x28, stop = 0x2e, pop = 0x30, popMark = 0x31, dup = 0x32
    case float = 0x46, int = 0x49, binInt = 0x4a, binInt1 = 0x4b, long = 0x4c, binInt2 = 0x4d
    case none = 0x4e, persistentID = 0x50, binPersistentID = 0x51, reduce = 0x52, string = 0x53
    case binString = 0x54, shortBinString = 0x55, unicode = 0x56, binUnicode = 0x58
    case binFloat = 0x47, binBytes = 0x42, shortBinBytes = 0x43
    case emptyList = 0x5d, append = 0x61, build = 0x62, global = 0x63, dict = 0x64, appends = 0x65
    case get = 0x67, binGet = 0x68, inst = 0x69, longBinGet = 0x6a, list = 0x6c, obj = 0x6f
    case put = 0x70, binPut = 0x71, longBinPut = 0x72, setItem = 0x73, tuple = 0x74, setItems = 0x75
    case emptyTuple = 0x29, emptyDict = 0x7d
    case proto = 0x80, newObj = 0x81, ext1 = 0x82, ext2 = 0x83, ext4 = 0x84
    case tuple1 = 0x85, tuple2 = 0x86, tuple3 = 0x87, newTrue = 0x88, newFalse = 0x89
    case long1 = 0x8a, long4 = 0x8b
    case shortBinUnicode = 0x8c, binUnicode8 = 0x8d, binBytes8 = 0x8e
    case emptySet = 0x8f, addItems = 0x90, frozenSet = 0x91, newObjEx = 0x92, stackGlobal = 0x93
    case memoize = 0x94, frame = 0x95, byteArray8 = 0x96, nextBuffer = 0x97, readonlyBuffer = 0x98

    /// pickletools' name of the opcodes that are refused, for error messages.
    var refusedName: String {
        switch self {
        case .int: return "INT"
        case .long: return "LONG"
        case .float: return "FLOAT"
        case .string: return "STRING"
        case .unicode: return "UNICODE"
        case .get: return "GET"
        case .put: return "PUT"
        case .persistentID: return "PERSID"
        case .inst: return "INST"
        case .obj: return "OBJ"
        case .ext1: return "EXT1"
        case .ext2: return "EXT2"
        case .ext4: return "EXT4"
        case .newObjEx: return "NEWOBJ_EX"
        case .emptySet: return "EMPTY_SET"
        case .addItems: return "ADDITEMS"
        case .frozenSet: return "FROZENSET"
        case .byteArray8: return "BYTEARRAY8"
        case .nextBuffer: return "NEXT_BUFFER"
        case .readonlyBuffer: return "READONLY_BUFFER"
        default: return String(describing: self)
        }
    }
}
