import Foundation
@testable import GraftTraining
import XCTest

/// `MultiLabelReport` against scikit-learn on the same logits (Fixtures/multilabel_metrics.json,
/// written by make_multilabel_metrics.py): per-class precision, recall, F1 and average
/// precision, mAP, exact match, label accuracy and the loss, at two thresholds.
final class MultiLabelMetricsTests: XCTestCase {
    private struct Fixture: Decodable {
        struct Case: Decodable {
            let threshold: Double
            let precision, recall, f1: [Double]
            let support: [Int]
            let average_precision: [Double?]
            let mean_average_precision, exact_match_ratio, label_accuracy, loss: Double
        }
        let classes: Int
        let logits: [Float]
        let label_sets: [[Int]]
        let cases: [Case]
    }

    func testTheMetricsAreScikitLearns() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "multilabel_metrics", withExtension: "json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let names = (0..<fixture.classes).map { "class \($0)" }
        for expected in fixture.cases {
            let report = MultiLabelReport(logits: fixture.logits, labelSets: fixture.label_sets, classNames: names,
                                          threshold: expected.threshold)
            let at = "at threshold \(expected.threshold)"
            XCTAssertEqual(report.count, fixture.label_sets.count)
            XCTAssertEqual(report.meanAveragePrecision, expected.mean_average_precision, accuracy: 1e-12, at)
            XCTAssertEqual(report.exactMatchRatio, expected.exact_match_ratio, accuracy: 1e-12, at)
            XCTAssertEqual(report.labelAccuracy, expected.label_accuracy, accuracy: 1e-12, at)
            XCTAssertEqual(report.loss, expected.loss, accuracy: 1e-9, at)
            for (c, metrics) in report.perClass.enumerated() {
                XCTAssertEqual(metrics.precision, expected.precision[c], accuracy: 1e-12, "precision of class \(c) \(at)")
                XCTAssertEqual(metrics.recall, expected.recall[c], accuracy: 1e-12, "recall of class \(c) \(at)")
                XCTAssertEqual(metrics.f1, expected.f1[c], accuracy: 1e-12, "F1 of class \(c) \(at)")
                XCTAssertEqual(metrics.support, expected.support[c])
                if let ap = expected.average_precision[c] {
                    XCTAssertEqual(try XCTUnwrap(metrics.averagePrecision), ap, accuracy: 1e-12, "AP of class \(c)")
                } else {
                    XCTAssertNil(metrics.averagePrecision, "class \(c) has no images: no average precision")
                }
            }
        }
    }

    /// A hand-counted case: the text table, and the JSON keys evaluate --json prints.
    func testTextAndJSON() throws {
        // Two images, two classes: the first right on both, the second wrong on class 1.
        let report = MultiLabelReport(logits: [3, -3, 2, 1], labelSets: [[0], [0]], classNames: ["cat", "dog"])
        XCTAssertEqual(report.exactMatchRatio, 0.5)
        XCTAssertEqual(report.labelAccuracy, 0.75)
        XCTAssertEqual(report.perClass.map(\.precision), [1, 0])
        XCTAssertEqual(report.perClass.map(\.averagePrecision), [1, nil])
        XCTAssertEqual(report.meanAveragePrecision, 1)
        XCTAssertTrue(report.text.hasPrefix("images 2  loss "), report.text)
        XCTAssertTrue(report.text.contains("\ndog          0.0000  0.0000  0.0000       –        0"), report.text)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        XCTAssertEqual(Set(json?.keys.map { $0 } ?? []), ["count", "loss", "threshold", "exact_match_ratio", "label_accuracy",
                                                          "mean_average_precision", "per_class", "class_names"])
    }
}
