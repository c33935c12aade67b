import Foundation

/// The IDX format of MNIST and Fashion-MNIST: a magic number giving the element type and rank,
/// big-endian dimension sizes, then the raw bytes. Gzipped files are unpacked with gzip.
struct IDXFile {
    let dimensions: [Int]
    let bytes: [UInt8]

    init(contentsOf url: URL) throws {
        let data = url.pathExtension == "gz" ? try Self.gunzip(url) : try Data(contentsOf: url)
        let raw = [UInt8](data)
        guard raw.count >= 4, raw[0] == 0, raw[1] == 0, raw[2] == 0x08 else {
            throw FashionMNISTError.malformed(file: url.path, reason: "not an IDX file of unsigned bytes")
        }
        let rank = Int(raw[3])
        guard raw.count >= 4 + 4 * rank else {
            throw FashionMNISTError.malformed(file: url.path, reason: "header cut short")
        }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let at = 4 + 4 * d
            dimensions.append(Int(raw[at]) << 24 | Int(raw[at + 1]) << 16 | Int(raw[at + 2]) << 8 | Int(raw[at + 3]))
        }
        let payload = 4 + 4 * rank
        let expected = dimensions.reduce(1, *)
        guard raw.count - payload == expected else {
            throw FashionMNISTError.malformed(file: url.path,
                                              reason: "\(raw.count - payload) data bytes for dimensions \(dimensions)")
        }
        self.dimensions = dimensions
        self.bytes = Array(raw[payload...])
    }

    /// Foundation has no gzip reader on Linux; the gzip tool is everywhere the Debian package is.
    private static func gunzip(_ url: URL) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-dc", url.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch {
            throw FashionMNISTError.malformed(file: url.path, reason: "cannot run gzip: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FashionMNISTError.malformed(file: url.path, reason: "gzip failed with status \(process.terminationStatus)")
        }
        return data
    }
}
