#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Directory entries as the file system stores them: raw bytes. Foundation's listing turns a name
/// that is not UTF-8 into something else or drops it, which made such a class folder vanish
/// without a word; reading with `readdir` lets the walk name every entry it does not use.
enum DirectoryReader {
    /// The names in the folder at `path` (raw bytes, no terminating zero), "." and ".." left
    /// out, in the order the file system returns them.
    static func names(in path: String) throws -> [[UInt8]] {
        guard let directory = opendir(path) else {
            throw DatasetError.unreadableFolder(path: path, reason: String(cString: strerror(errno)))
        }
        defer { closedir(directory) }
        var names: [[UInt8]] = []
        while let entry = readdir(directory) {
            var field = entry.pointee.d_name
            let name = withUnsafeBytes(of: &field) { Array($0.prefix(while: { $0 != 0 })) }
            if name == [0x2E] || name == [0x2E, 0x2E] { continue }
            names.append(name)
        }
        return names
    }
}

/// A file name's bytes for people to read: UTF-8 as it is, every byte that is not part of valid
/// UTF-8 as \xHH (so "caf\xe9" for Latin-1 "café"), which a terminal and a log both show.
func escapedFileName(_ bytes: [UInt8]) -> String {
    if let valid = String(validating: bytes, as: UTF8.self) { return valid }
    var text = ""
    var i = 0
    outer: while i < bytes.count {
        // A scalar is 1 to 4 bytes; the shortest valid prefix is the scalar that starts here.
        for length in 1...min(4, bytes.count - i) {
            if let scalar = String(validating: bytes[i..<i + length], as: UTF8.self) {
                text += scalar
                i += length
                continue outer
            }
        }
        text += "\\x" + String(bytes[i], radix: 16).leftPadded(to: 2)
        i += 1
    }
    return text
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
