import Foundation
import GraftFiles

/// The files a training run leaves in its output folder: model/ (config.json and
/// model.safetensors), history.json, history.csv, curves.svg, report.html, reliability.svg and label_issues.csv,
/// each written atomically.
public struct RunOutputs {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    public var modelDirectory: URL { directory.appendingPathComponent("model") }
    public var checkpointDirectory: URL { directory.appendingPathComponent("checkpoint") }
    public var historyJSON: URL { directory.appendingPathComponent("history.json") }
    public var historyCSV: URL { directory.appendingPathComponent("history.csv") }
    public var curves: URL { directory.appendingPathComponent("curves.svg") }
    public var report: URL { directory.appendingPathComponent("report.html") }
    public var labelIssuesCSV: URL { directory.appendingPathComponent("label_issues.csv") }
    public var reliability: URL { directory.appendingPathComponent("reliability.svg") }

    /// History and curves; cheap enough to rewrite after every epoch.
    public func writeHistory(_ history: [EpochRecord]) throws {
        try createFolder(directory)
        try TrainingHistory.writeJSON(history, to: historyJSON)
        try TrainingHistory.writeCSV(history, to: historyCSV)
        try writeAtomically(TrainingCurves.svg(history), to: curves)
    }

    /// report.html: one self-contained page (curves, configuration, metrics, calibration,
    /// confusion matrix, mistakes), and reliability.svg, the reliability diagram, when a
    /// temperature was fitted (an older one is removed when none was).
    public func writeReport(_ report: TrainingReport) throws {
        try createFolder(directory)
        try writeAtomically(report.html, to: self.report)
        if let svg = report.calibration.svg {
            try writeAtomically(svg, to: reliability)
        } else if FileManager.default.fileExists(atPath: reliability.path) {
            do { try FileManager.default.removeItem(at: reliability) } catch {
                throw FileSystemError("remove", reliability.path, error: error)
            }
        }
    }

    /// model/, replaced as one unit (see `ImageClassifier.save(to:)`).
    public func writeModel(_ classifier: ImageClassifier) throws {
        try classifier.save(to: modelDirectory)
    }
}
