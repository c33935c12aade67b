import Foundation

/// Everything a scan of a dataset found, as a plain value that encodes to JSON: what one process
/// scans and sends to the others of a data-parallel job, so that the folder is walked (and its
/// images verified) once and every process trains on the very same file list.
public struct DatasetSnapshot: DatasetSplits, Codable, Equatable {
    public let source: String
    public let classNames: [String]
    public let train: ImageDataset
    public let validation: ImageDataset?
    public let test: ImageDataset?
    public let warnings: [String]
    public let skipped: [ImageDecodingError]
    public let summary: String
    private let evaluation: EvaluationSplit

    private struct EvaluationSplit: Codable, Equatable {
        let name: String
        let images: ImageDataset
        let warning: String?
    }

    public var evaluationSplit: (name: String, images: ImageDataset, warning: String?) {
        (evaluation.name, evaluation.images, evaluation.warning)
    }

    public init(of splits: some DatasetSplits) {
        source = splits.source
        classNames = splits.classNames
        train = splits.train
        validation = splits.validation
        test = splits.test
        warnings = splits.warnings
        skipped = splits.skipped
        summary = splits.summary
        let (name, images, warning) = splits.evaluationSplit
        evaluation = EvaluationSplit(name: name, images: images, warning: warning)
    }

    /// Every listed image (train, validation and test) whose file this process cannot see, in
    /// that order: on another machine, the data must be at the same path.
    public func missingFiles() -> [URL] {
        [train, validation, test].compactMap { $0 }.flatMap(\.samples).map(\.url).filter {
            !FileManager.default.fileExists(atPath: $0.path)
        }
    }
}
