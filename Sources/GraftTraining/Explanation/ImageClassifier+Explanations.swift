import Foundation
import GraftData
import GraftFiles

/// One image's heat map: where the model looked for the class it predicted.
public struct Explanation: Sendable {
    public let map: ClassActivationMap
    /// The image as the model saw it, with the map laid over it.
    public let overlay: RGBImage
}

extension ImageClassifier {
    /// Grad-CAM of each image file for its predicted class, drawn over the image as the model
    /// sees it, decoded a batch at a time; a file that cannot be decoded gets its error.
    public func explanations(files: [URL], batchSize: Int = 16) -> [Result<Explanation, ImageDecodingError>] {
        let transform = ImageTransform(preprocessing: preprocessing)
        return ImageDecoder.mapBatches(of: files, batchSize: batchSize) { images in
            zip(images, gradCAM(images)).map { image, map in
                Explanation(map: map, overlay: map.overlay(on: transform.evaluationView(image)))
            }
        }
    }

    /// The heat maps of `files` as PNGs in `folder` (created if need be), each named after its
    /// image ("IMG_0042.jpg" gives "IMG_0042-gradcam.png"; a name met again gets "-2", "-3", ...),
    /// each written atomically. Returns each file's PNG, or why its image could not be read.
    public func writeExplanations(files: [URL], to folder: URL, batchSize: Int = 16) throws -> [Result<URL, ImageDecodingError>] {
        try createFolder(folder)
        var seen: [String: Int] = [:]
        let names = files.map { file -> String in
            let stem = file.deletingPathExtension().lastPathComponent
            seen[stem, default: 0] += 1
            return stem + (seen[stem]! > 1 ? "-\(seen[stem]!)" : "") + "-gradcam.png"
        }
        var written: [Result<URL, ImageDecodingError>] = []
        for (name, result) in zip(names, explanations(files: files, batchSize: batchSize)) {
            switch result {
            case .failure(let error): written.append(.failure(error))
            case .success(let explanation):
                let url = folder.appendingPathComponent(name)
                try writeAtomically(try PNGEncoder.encode(explanation.overlay), to: url)
                written.append(.success(url))
            }
        }
        return written
    }
}
