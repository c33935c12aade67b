import Foundation
import GraftData
import GraftModels
@testable import GraftTraining
import XCTest

final class ReportTests: TrainingTestCase {
    /// A class folder named with every character HTML cares about.
    static let hostileName = "<b>&\"'"

    func testReportHTMLShowsTheConfusionMatrixAndPerClassMetricsOfTheKeptWeights() throws {
        let root = try SyntheticImages.folder(trainPerClass: 6, validationPerClass: 4,
                                              classNames: [Self.hostileName, "green", "red"])
        defer { try? FileManager.default.removeItem(at: root) }
        let data = try ImageFolder(root: root)
        XCTAssertTrue(data.classNames.contains(Self.hostileName), "\(data.classNames)")
        let classifier = try makeClassifier(classNames: data.classNames)
        let trainer = try Trainer(classifier: classifier, trainingSet: data.train, validationSet: data.validation,
                                  options: options(headEpochs: 2, fineTuneEpochs: 1))
        try trainer.fit()
        let outputs = RunOutputs(directory: temporaryDirectory())
        defer { try? FileManager.default.removeItem(at: outputs.directory) }
        try outputs.writeReport(trainer.report(title: "run <1>", extraConfiguration: [.init("data", root.path)]))
        let html = try String(contentsOf: outputs.report, encoding: .utf8)

        // The metrics are those of the weights the classifier holds (the kept epoch's).
        let expected = try classifier.evaluate(on: data.validation!, topK: 3)
        XCTAssertEqual(confusionCells(html), expected.confusionMatrix.flatMap { $0 }, html)
        for m in expected.perClass {
            let row = "<tr><th>\(escapeHTML(m.name))</th><td>\(TrainingReport.number(m.precision))</td>"
                + "<td>\(TrainingReport.number(m.recall))</td><td>\(TrainingReport.number(m.f1))</td><td>\(m.support)</td></tr>"
            XCTAssertTrue(html.contains(row), "no row \(row)")
        }
        XCTAssertTrue(html.contains(TrainingReport.number(expected.accuracy)))
        XCTAssertTrue(html.contains(TrainingReport.number(expected.loss)))

        // Escaped everywhere, never raw; the escaped form is what shows.
        XCTAssertFalse(html.contains(Self.hostileName))
        XCTAssertFalse(html.contains("<b>"))
        XCTAssertTrue(html.contains("&lt;b&gt;&amp;&quot;&#39;"))
        XCTAssertTrue(html.contains("run &lt;1&gt;"))

        // Self-contained: curves inline, nothing fetched, no scripts.
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        XCTAssertTrue(html.contains("<svg") && html.contains("start fine-tuning"))
        for external in ["src=\"http", "href=\"http", "<link", "<script", "url("] {
            XCTAssertFalse(html.contains(external), "report refers to something outside it: \(external)")
        }
        // Configuration: backbone, size, stages with epochs and rates.
        for text in ["mobilenetv2", "32 × 32", "2 epochs, Adam, learning rate 1.0e-02", "1 epoch, Adam, learning rate 1.0e-03"] {
            XCTAssertTrue(html.contains(text), "configuration lacks \(text)")
        }
    }

    func testMostConfidentMistakesAreSortedAndCarrySmallJPEGThumbnails() throws {
        let data = try dataset()
        let samples = Array(data.validation!.samples.prefix(4))
        // Image 0 right; 1 wrong at p = e^2 / (e^2 + 2); 2 wrong at p = e^4 / (e^4 + 2); 3 right.
        var logits: [Float] = []
        for (i, sample) in samples.enumerated() {
            var row: [Float] = [0, 0, 0]
            let wrong = (sample.label + 1) % 3
            switch i {
            case 1: row[wrong] = 2
            case 2: row[wrong] = 4
            default: row[sample.label] = 3
            }
            logits += row
        }
        let mistakes = Misclassification.mostConfident(logits: logits, samples: samples, classes: 3, limit: 16, thumbnailSize: 96)
        XCTAssertEqual(mistakes.map(\.file), [samples[2].url, samples[1].url])
        XCTAssertEqual(mistakes[0].probability, exp(4) / (exp(4) + 2), accuracy: 1e-6)
        XCTAssertEqual(mistakes[1].trueClassProbability, 1 / (exp(2) + 2), accuracy: 1e-6)
        XCTAssertEqual(mistakes[0].predictedLabel, (samples[2].label + 1) % 3)
        XCTAssertEqual(Misclassification.mostConfident(logits: logits, samples: samples, classes: 3, limit: 1, thumbnailSize: 0).count, 1)

        let prefix = "data:image/jpeg;base64,"
        let uri = try XCTUnwrap(mistakes[0].thumbnail)
        XCTAssertTrue(uri.hasPrefix(prefix))
        let jpeg = try XCTUnwrap(Data(base64Encoded: String(uri.dropFirst(prefix.count))))
        XCTAssertEqual(Array(jpeg.prefix(2)), [0xFF, 0xD8])
        let thumbnail = try ImageDecoder.decode(jpeg)
        XCTAssertEqual(max(thumbnail.width, thumbnail.height), 96)

        let report = TrainingReport(title: "t", configuration: [], history: [], keptEpoch: nil,
                                    evaluation: EvaluationReport(logits: logits, labels: samples.map(\.label),
                                                                 classNames: data.classNames, topK: 1),
                                    mistakes: mistakes)
        let html = report.html
        XCTAssertTrue(html.contains("<img src=\"\(uri)\""))
        XCTAssertTrue(html.contains(String(format: "%.1f%%", mistakes[0].probability * 100)))
    }

    func testEscapingCoversEveryHTMLSpecialCharacter() {
        XCTAssertEqual(escapeHTML("<b>&\"'x"), "&lt;b&gt;&amp;&quot;&#39;x")
        XCTAssertEqual(escapeHTML("plain é"), "plain é")
    }

    /// The counts of the confusion-matrix cells, row by row.
    private func confusionCells(_ html: String) -> [Int] {
        let regex = try! NSRegularExpression(pattern: "<td class=\"cm[^\"]*\"[^>]*>([0-9]+)</td>")
        let range = NSRange(html.startIndex..., in: html)
        return regex.matches(in: html, range: range).map { Int(html[Range($0.range(at: 1), in: html)!])! }
    }
}
