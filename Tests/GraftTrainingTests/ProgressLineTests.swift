import Foundation
@testable import GraftTraining
import XCTest

/// The progress bar and the epoch lines fit the terminal, at 80 columns and narrower, with the
/// same numbers.
final class ProgressLineTests: XCTestCase {
    private func progress(_ phase: BatchProgress.Phase = .training, batch: Int = 45, batches: Int = 157) -> BatchProgress {
        BatchProgress(phase: phase, stage: 2, epoch: 5, epochInStage: 2, epochsInStage: 3, batch: batch, batches: batches,
                      images: batch * 32, loss: phase == .training ? 0.41234 : nil, accuracy: phase == .training ? 0.85121 : nil,
                      seconds: Double(batch) * 32 / 412)
    }

    private func numbers(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "[" || $0 == "]" }).map(String.init).filter { $0.first!.isNumber }
    }

    func testTheBarFitsEightyColumnsWithEveryNumber() {
        let line = progress().line(width: 80)
        XCTAssertEqual(line, "s2 e5 (2/3) [===>............] 45/157 loss 0.4123 acc 0.8512 412 img/s ETA 0:09")
        XCTAssertLessThan(line.count, 80)
        let wide = progress().line(width: 120)
        XCTAssertEqual(wide, "stage 2 epoch 5 (2/3) [=======>......................] 45/157 loss 0.4123 acc 0.8512 412 img/s ETA 0:09")
        XCTAssertEqual(numbers(line).filter { $0.contains(".") || $0.contains("/") || $0.contains(":") },
                       numbers(wide).filter { $0.contains(".") || $0.contains("/") || $0.contains(":") })
    }

    func testANarrowTerminalDropsSpeedThenTheBarButNeverWraps() {
        let sixty = progress().line(width: 60)
        XCTAssertEqual(sixty, "s2 e5 (2/3) [>.....] 45/157 loss 0.4123 acc 0.8512 ETA 0:09")
        XCTAssertLessThan(sixty.count, 60)
        XCTAssertEqual(progress().line(width: 51), "s2 e5 (2/3) 45/157 loss 0.4123 acc 0.8512 ETA 0:09")
        XCTAssertEqual(progress().line(width: 50), "s2 e5 (2/3) 45/157 loss 0.4123 acc 0.8512")
        for width in 10...160 {
            for phase in [BatchProgress.Phase.training, .validation, .computingFeatures] {
                for batch in [0, 1, 157] {
                    XCTAssertLessThan(progress(phase, batch: batch).line(width: width).count, width, "\(phase) \(batch) at \(width)")
                }
            }
        }
        let validating = progress(.validation, batch: 157, batches: 157).line(width: 80)
        XCTAssertEqual(validating, "stage 2 epoch 5 (2/3) validating [=====================] 157/157 412 img/s 0:12")
        XCTAssertEqual(progress(.computingFeatures, batch: 157, batches: 157).line(width: 60),
                       "s2 features [======================] 157/157 412 img/s 0:12")
        XCTAssertEqual(progress(.computingFeatures, batch: 157, batches: 157).line(width: 100),
                       "stage 2 computing backbone features once [==============================] 157/157 412 img/s 0:12")
    }

    func testTheTerminalWidthComesFromTheTerminalThenColumnsThenEighty() {
        XCTAssertEqual(TerminalWidth.resolve(reported: 132, columns: "100"), 132)
        XCTAssertEqual(TerminalWidth.resolve(reported: 0, columns: "100"), 100)
        XCTAssertEqual(TerminalWidth.resolve(reported: nil, columns: " 72 "), 72)
        XCTAssertEqual(TerminalWidth.resolve(reported: nil, columns: "wide"), 80)
        XCTAssertEqual(TerminalWidth.resolve(reported: nil, columns: nil), 80)
    }

    private func record(validation: Bool = true, cached: Bool = false, imagesPerSecond: Double = 512, seconds: Double = 2.1) -> EpochRecord {
        EpochRecord(epoch: 3, stage: 1, loss: 0.41234, accuracy: 0.87, validationLoss: validation ? 0.45 : nil,
                    validationAccuracy: validation ? 0.85 : nil, learningRate: 1e-3, seconds: seconds,
                    imagesPerSecond: imagesPerSecond, cachedFeatures: cached)
    }

    func testEpochLinesFitEightyColumnsForTypicalValues() {
        XCTAssertEqual(record().summaryLine, "stage 1 epoch 3: loss 0.4123/0.4500 acc 0.8700/0.8500 lr 1.0e-03 512 img/s 2.1 s")
        XCTAssertEqual(record(validation: false).summaryLine,
                       "stage 1 epoch 3: loss 0.4123 acc 0.8700 | lr 1.0e-03 | 512 img/s | 2.1 s")
        XCTAssertEqual(record(cached: true, imagesPerSecond: 31250, seconds: 0.1).summaryLine,
                       "stage 1 epoch 3: loss 0.4123/0.4500 acc 0.8700/0.8500 lr 1.0e-03 31250/s 0.1s")
        XCTAssertEqual(record(validation: false, cached: true, imagesPerSecond: 31250, seconds: 0.1).summaryLine,
                       "stage 1 epoch 3: loss 0.4123 acc 0.8700 lr 1.0e-03 31250 img/s 0.1 s cached")
        XCTAssertEqual(record().summaryLine(width: 200),
                       "stage 1 epoch 3: loss 0.4123 acc 0.8700 | val loss 0.4500 acc 0.8500 | lr 1.0e-03 | 512 img/s | 2.1 s")
        for validation in [true, false] {
            for cached in [true, false] {
                for (speed, seconds) in [(85.0, 312.4), (1234.0, 45.6), (98765.0, 0.3)] {
                    let line = record(validation: validation, cached: cached, imagesPerSecond: speed, seconds: seconds).summaryLine
                    XCTAssertLessThanOrEqual(line.count, 80, line)
                    XCTAssertTrue(line.hasPrefix("stage 1 epoch 3: "), line)
                }
            }
        }
    }

    func testANarrowTerminalPutsTheEpochOnTwoLinesKeepingEveryNumber() {
        let line = record(cached: true).summaryLine(width: 60)
        XCTAssertEqual(line, "stage 1 epoch 3: loss 0.4123/0.4500 acc 0.8700/0.8500\n  lr 1.0e-03 512/s 2.1s cached")
        XCTAssertTrue(line.split(separator: "\n").allSatisfy { $0.count <= 60 }, line)
        XCTAssertEqual(record(validation: false).summaryLine(width: 60), "stage 1 epoch 3: loss 0.4123 acc 0.8700\n  lr 1.0e-03 512/s 2.1s")
        XCTAssertEqual(record(validation: false).summaryLine(width: 70), "stage 1 epoch 3: loss 0.4123 acc 0.8700 lr 1.0e-03 512 img/s 2.1 s")
    }
}
