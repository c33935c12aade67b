import ArgumentParser
import Foundation
import Graft

/// What `classify` and `predict` share: the images (files or folders), how many classes to show,
/// and where the predictions go.
struct ImageInputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Image files (JPEG, PNG, WebP, GIF, TIFF, BMP), or folders: every image below a folder, in sorted order.",
                                 valueName: "image-or-folder"))
    var images: [String] = []
    @Option(help: "How many classes to show per image.") var top = 5
    @Flag(help: "Print JSON: [{\"file\", \"predictions\": [{\"index\", \"label\", \"probability\"}]}] (\"error\" for an image that could not be read).")
    var json = false
    @Option(help: ArgumentHelp(
        "Also write the predictions to FILE: .csv (a row per image and rank: file,rank,label,index,probability,error) or .jsonl (an object per image and line).",
        valueName: "file"))
    var output: String?

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image or folder") }
        try renamingSettings([:]) { try checkSetting("--top", top, in: 1...ModelConfiguration.maximumClasses) }
        if let output {
            let url = URL(fileURLWithPath: output)
            guard PredictionsFile.Format(url: url) != nil else {
                throw ValidationError("--output \(output): name a .csv or .jsonl file")
            }
            guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path) else {
                throw ValidationError("--output \(output): the folder \(url.deletingLastPathComponent().path) does not exist")
            }
        }
    }

    /// The image files the arguments name; what was left out goes to standard error.
    func files() throws -> ImageFileList {
        let list = ImageFileList(paths: images)
        for note in list.notes { printToStandardError(note) }
        guard !list.entries.isEmpty else {
            throw CommandFailure("no \(ImageFormat.readableList) images in \(images.joined(separator: ", "))")
        }
        return list
    }

    /// Prints (and with --output writes) each file's predictions. Images that could not be read
    /// are named on standard error and in the output, and make the command fail once all others
    /// are done.
    /// `nothingAbove`: a multi-label model's threshold, named for an image with no class above it.
    func report(_ results: [Result<[Prediction], ImageDecodingError>], for list: ImageFileList, nothingAbove: Double? = nil) throws {
        let predictions = zip(list.entries, results).map { FilePrediction(file: $0.path, result: $1) }
        for case .failure(let error) in results { printToStandardError("warning: skipping \(error)") }
        if json {
            try printJSON(predictions)
        } else {
            for file in predictions where file.error == nil {
                print(file.file)
                for p in file.predictions { print(String(format: "  %6.2f%%  %@ (%d)", p.probability * 100, p.label, p.index)) }
                if file.predictions.isEmpty, let nothingAbove { print(String(format: "  (no class at %.0f%% or more)", nothingAbove * 100)) }
            }
        }
        if let output { try PredictionsFile.write(predictions, to: URL(fileURLWithPath: output)) }
        let failed = predictions.filter { $0.error != nil }.count
        if failed > 0 {
            throw CommandFailure("\(failed) of \(predictions.count) image\(predictions.count == 1 ? "" : "s") could not be read "
                + "(named above\(output == nil ? "" : " and in \(output!)"))")
        }
    }
}
