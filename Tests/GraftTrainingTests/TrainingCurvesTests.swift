import Foundation
@testable import GraftTraining
import XCTest

/// curves.svg: axes in 1-2-5 steps, and the legend and the stage label outside the plot, clear
/// of each other and of the title.
final class TrainingCurvesTests: XCTestCase {
    func testTicksStepInOneTwoFiveNumbers() {
        XCTAssertEqual(AxisTicks(covering: 0, 0.99).values, [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        XCTAssertEqual(AxisTicks(covering: 0, 0.99).values.map(AxisTicks(covering: 0, 0.99).label), ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        XCTAssertEqual(AxisTicks(covering: 0, 1).step, 0.2)
        XCTAssertEqual(AxisTicks(covering: 0, 0.33).step, 0.1)
        XCTAssertEqual(AxisTicks(covering: 0, 2.31).values, [0, 0.5, 1, 1.5, 2, 2.5])
        XCTAssertEqual(AxisTicks(covering: 0, 12.3).values, [0, 5, 10, 15])
        XCTAssertEqual(AxisTicks(covering: 0, 12.3).label(5), "5")
        XCTAssertEqual(AxisTicks(covering: 0.012, 0.043).step, 0.01)
        XCTAssertEqual(AxisTicks(covering: 0.012, 0.043).label(0.02), "0.02")
        XCTAssertEqual(AxisTicks(covering: 3, 3).values, [3, 4], "a flat curve still gets an axis")
        XCTAssertEqual(AxisTicks(covering: 0, .nan).values, [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        for high in [0.07, 0.33, 0.66, 0.99, 1.7, 4.2, 9.99, 37, 640] {
            let ticks = AxisTicks(covering: 0, high)
            XCTAssertTrue((2...6).contains(ticks.values.count), "\(high): \(ticks.values)")
            XCTAssertLessThanOrEqual(ticks.lower, 0)
            XCTAssertGreaterThanOrEqual(ticks.upper, high)
            let mantissa = ticks.step / pow(10, log10(ticks.step).rounded(.down))
            XCTAssertTrue([1, 2, 5].contains { abs($0 - mantissa) < 1e-9 }, "\(high): step \(ticks.step)")
        }
        XCTAssertEqual([0.3, 1.1, 2.0, 4.9, 7].map { AxisTicks.niceStep(atLeast: $0) }, [0.5, 2, 2, 5, 10])
    }

    private func history(epochs: Int, fineTuningFrom start: Int?) -> [EpochRecord] {
        (1...epochs).map { epoch in
            EpochRecord(epoch: epoch, stage: start.map { epoch >= $0 ? 2 : 1 } ?? 1, loss: 0.99 / Double(epoch), accuracy: 0.5,
                        validationLoss: 1.0 / Double(epoch), validationAccuracy: 0.6, learningRate: 1e-3, seconds: 1,
                        imagesPerSecond: 100, cachedFeatures: false)
        }
    }

    func testLegendAndStageLabelSitOutsideThePlotAndClearOfEachOther() {
        for (epochs, start) in [(10, 6), (2, 2), (30, 30), (30, 2), (7, nil), (1, nil), (60, 41)] {
            let layout = PanelLayout(x: 420, width: 420, height: TrainingCurves.height, history: history(epochs: epochs, fineTuningFrom: start),
                                     yTicks: AxisTicks(covering: 0, 1))
            var labels = [("title", layout.title), ("legend", layout.legend)] + layout.legendItems.map { ($0.text, $0.box) }
            if let stage = layout.stageLabel { labels.append(("stage label", stage)) }
            XCTAssertEqual(layout.stageLabel != nil, start != nil, "\(epochs) \(start as Any)")
            for (name, box) in labels {
                XCTAssertFalse(box.intersects(layout.plot), "\(name) \(box) covers the plot \(layout.plot) (\(epochs) epochs)")
                XCTAssertTrue(layout.panel.contains(box), "\(name) \(box) leaves the panel (\(epochs) epochs)")
            }
            for (i, a) in labels.enumerated() {
                for b in labels[(i + 1)...] where !(a.0 == "legend" && layout.legendItems.contains { $0.text == b.0 }) {
                    XCTAssertFalse(a.1.intersects(b.1), "\(a.0) \(a.1) and \(b.0) \(b.1) overlap (\(epochs) epochs)")
                }
            }
            if let boundary = layout.stageBoundaryX, let start {
                XCTAssertEqual(boundary, (layout.x(start - 1) + layout.x(start)) / 2, accuracy: 1e-9)
                XCTAssertTrue(layout.plot.x < boundary && boundary < layout.plot.maxX)
            }
            XCTAssertLessThanOrEqual(layout.epochTicks.count, 11, "\(epochs) epochs: \(layout.epochTicks)")
            XCTAssertEqual(layout.epochTicks.first, 1)
        }
    }

    func testTheSVGShowsNiceLossTicksAndOneStageLabelPerPanel() {
        let svg = TrainingCurves.svg(history(epochs: 8, fineTuningFrom: 5))
        XCTAssertEqual(svg.components(separatedBy: ">start fine-tuning<").count - 1, 2)
        for label in [">0.0<", ">0.2<", ">0.4<", ">0.6<", ">0.8<", ">1.0<"] { XCTAssertTrue(svg.contains(label), label) }
        XCTAssertFalse(svg.contains(">0.33<") || svg.contains(">0.66<") || svg.contains(">0.99<"), svg)
        XCTAssertFalse(TrainingCurves.svg(history(epochs: 4, fineTuningFrom: nil)).contains("start fine-tuning"))
    }
}
