import ArgumentParser
import Foundation
import Graft

struct BenchDecode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decoding speed per image format on one thread (files read into memory first).",
        discussion: "benchmarks/decode_formats.py writes one photo set in every format and runs this on it.")

    @Argument(help: ArgumentHelp("Image files or folders (every image below a folder).", valueName: "image-or-folder"))
    var images: [String] = []
    @Option(help: "Timed passes over the files.") var repeats = 3

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image or folder") }
        try renamingSettings([:]) { try checkSetting("--repeats", repeats, in: 1...10_000) }
    }

    func run() throws {
        let list = ImageFileList(paths: images)
        for note in list.notes { printToStandardError(note) }
        guard !list.entries.isEmpty else { throw CommandFailure("no \(ImageFormat.readableList) images in \(images.joined(separator: ", "))") }
        do {
            for result in try DecodeBenchmark.run(files: list.entries.map(\.url), repeats: repeats) { print(result) }
        } catch let error as ImageDecodingError {
            throw CommandFailure(error.description)
        }
    }
}
