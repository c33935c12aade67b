import Foundation
import Graft
#if canImport(Glibc)
import Glibc
#endif

/// Shows training and download progress. On a terminal (standard error), one line per epoch phase is redrawn
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
        update(isFinished: progress.isFinished) { Self.render(progress, width: $0) }
    }

    /// Redraws the bar with the line `render` makes for the terminal's width.
    func update(isFinished: Bool, _ render: (Int) -> String) {
        guard isInteractive else { return }
        let now = Date()
        guard isFinished || now.timeIntervalSince(lastDraw) >= interval else { return }
        lastDraw = now
        let text = render(Self.terminalWidth())
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
        barShown = true
    }

    /// Removes the bar (before other output, or at the end).
    func clearBar() {
        guard barShown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        barShown = false
    }

    /// The bar's line for `progress` in `width` columns (`BatchProgress.line(width:)`).
    static func render(_ progress: BatchProgress, width: Int) -> String { progress.line(width: width) }

    /// The columns of the terminal on standard error: what it says, else COLUMNS, else 80.
    static func terminalWidth() -> Int {
        var size = winsize()
        let reported = ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 ? Int(size.ws_col) : nil
        return TerminalWidth.resolve(reported: reported, columns: ProcessInfo.processInfo.environment["COLUMNS"])
    }

    /// Epoch lines fit the terminal; in a log, 80 columns.
    var lineWidth: Int { isInteractive ? Self.terminalWidth() : 80 }
}

extension ProgressDisplay: TrainingObserver {
    func progress(_ progress: BatchProgress, trainer: Trainer) { update(progress) }
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws { line(record.summaryLine(width: lineWidth)) }
    func message(_ text: String, trainer: Trainer) { line(text) }
}
