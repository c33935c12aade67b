import Foundation
import GraftData
import GraftModels

/// Turns encoded image files from a request into one preprocessed batch, on threads of its own:
/// decoding is the CPU work of a request, and done here it runs in parallel with the model and
/// never on an event loop or a Swift task thread.
struct ImagePreparation: Sendable {
    let preprocessing: Preprocessing
    let decoding: DecodingOptions

    private static let queue = DispatchQueue(label: "graft.decode", qos: .userInitiated, attributes: .concurrent)

    /// `files` (name, bytes) decoded and preprocessed; the first that fails names itself.
    func batch(of files: [(name: String, bytes: Data)]) async throws -> InferenceBatch {
        let preprocessing = preprocessing, decoding = decoding
        let rows: [[Float]] = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, file) in files.enumerated() {
                group.addTask {
                    try await withCheckedThrowingContinuation { continuation in
                        Self.queue.async {
                            continuation.resume(with: Result {
                                (index, try Self.prepare(file, preprocessing: preprocessing, decoding: decoding))
                            })
                        }
                    }
                }
            }
            var rows = [[Float]](repeating: [], count: files.count)
            for try await (index, row) in group { rows[index] = row }
            return rows
        }
        return InferenceBatch(shape: [files.count, 3, preprocessing.height, preprocessing.width], values: rows.flatMap { $0 })
    }

    private static func prepare(_ file: (name: String, bytes: Data), preprocessing: Preprocessing,
                                decoding: DecodingOptions) throws -> [Float] {
        do {
            let image = try ImageDecoder.decode(file.bytes, name: file.name, options: decoding)
            return ImageTransform(preprocessing: preprocessing).render(image, seed: 0)
        } catch let error as ImageDecodingError {
            switch error {
            case .notAnImage, .unsupportedVariant: throw ServeError.unsupportedMedia(error.description)
            default: throw ServeError.badRequest(error.description)
            }
        }
    }
}
