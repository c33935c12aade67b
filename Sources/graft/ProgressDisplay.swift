import Foundation
import Graft
#if canImport(Glibc)
import Glibc
#endif

/// Shows training progress. On a terminal (standard error), one line per epoch phase is redrawn
/// in place: a bar with batch i/n, running loss and accuracy, images/second and ETA. Elsewhere
/// (a log file, a pipe, TERM=dumb) nothing is drawn and only whole lines appear.
final class ProgressDisplay {
    let isInteractive: Bool
    private var barShown = false
    private var lastDraw = Date.distantPast
    /// Redraws at most this often, except for a phase's last batch.
    private let interval: TimeInterval = 0.1

    init(isInteractive: Bool = ProgressDisplay.standardErrorIsTerminal) {
        self.isInteractive = isInteractive
    }

    static var standardErrorIsTerminal: Bool {
        isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// A whole line on standard output, replacing the bar if one is shown.
    func line(_ text: String) {
        clearBar()
        print(text)
        fflush(stdout)
    }

    func update(_ progress: BatchProgress) {
        guard isInteractive else { return }
        let now = Date()
        guard progress.isFinished || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let text = Self.render(progress, width: Self.terminalWidth())
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
        barShown = true
    }

    /// Removes the bar (before other output, or at the end).
    func clearBar() {
        guard barShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        barShown = false
    }

    /// "stage 2 epoch 5 (2/3) [=====>......] 45/157 loss 0.4123 acc 0.8512 412 img/s ETA 0:12" (the
    /// epoch counted over the run, as the epoch lines do, then within the stage), cut to `width`.
    static func render(_ p: BatchProgress, width: Int) -> String {
        var prefix = "stage \(p.stage) epoch \(p.epoch) (\(p.epochInStage)/\(p.epochsInStage))"
        switch p.phase {
        case .training: break
        case .validation: prefix += " validating"
        case .computingFeatures: prefix = "stage \(p.stage) computing backbone features once"
        }
        let counter = "\(p.batch)/\(p.batches)"
        var stats = ""
        if let loss = p.loss { stats += String(format: " loss %.4f", loss) }
        if let accuracy = p.accuracy { stats += String(format: " acc %.4f", accuracy) }
        stats += String(format: " %.0f img/s", p.imagesPerSecond)
        if p.isFinished {
            stats += " " + clock(p.seconds)
        } else if let left = p.estimatedSecondsLeft {
            stats += " ETA " + clock(left)
        }
        // The bar takes what is left of the line, between 10 and 30 characters.
        let room = width - 1 - prefix.count - counter.count - stats.count - 4
        let barWidth = min(30, room)
        var text = prefix + " "
        if barWidth >= 10 {
            let fraction = p.batches > 0 ? Double(p.batch) / Double(p.batches) : 0
            let filled = min(barWidth, Int(fraction * Double(barWidth)))
            let arrow = filled < barWidth ? ">" : ""
            text += "[" + String(repeating: "=", count: max(0, filled - arrow.count)) + arrow
                + String(repeating: ".", count: barWidth - max(filled, arrow.count)) + "] "
        }
        text += counter + stats
        // A line longer than the terminal wraps, and "\r" would then redraw only its last part.
        return text.count < width ? text : String(text.prefix(max(1, width - 1)))
    }

    /// "0:07", "12:34", "1:02:03".
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }

    static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return Int(ProcessInfo.processInfo.environment["COLUMNS"] ?? "") ?? 80
    }
}

extension ProgressDisplay: TrainingObserver {
    func progress(_ progress: BatchProgress, trainer: Trainer) { update(progress) }
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws { line(record.summaryLine) }
    func message(_ text: String, trainer: Trainer) { line(text) }
}
