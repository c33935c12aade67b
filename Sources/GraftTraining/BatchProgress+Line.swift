import Foundation

extension BatchProgress {
    /// The progress bar's line, fitted to a terminal `width` columns wide (kept shorter than
    /// that: a line that fills the last column wraps on some terminals, and "\r" then redraws
    /// only its second half). The numbers are written the same way at every width; as the width
    /// shrinks, the words shorten ("stage 2 epoch 5" becomes "s2 e5"), then images/second goes,
    /// then the bar, then the time:
    ///
    ///     stage 2 epoch 5 (2/3) [=====>........] 45/157 loss 0.4123 acc 0.8512 412 img/s ETA 0:12
    ///     s2 e5 (2/3) [=======>........] 45/157 loss 0.4123 acc 0.8512 412 img/s ETA 0:12
    ///     s2 e5 (2/3) [==>...] 45/157 loss 0.4123 acc 0.8512 ETA 0:12
    public func line(width: Int) -> String {
        let counter = "\(batch)/\(batches)"
        let full = prefix(short: false), short = prefix(short: true)
        let forms: [(prefix: String, speed: Bool, time: Bool, minimumBar: Int?)] = [
            (full, true, true, 10), (short, true, true, 10), (short, false, true, 6), (short, false, true, nil),
            (short, false, false, nil),
        ]
        for form in forms {
            let stats = statistics(speed: form.speed, time: form.time)
            let fixed = form.prefix.count + 1 + counter.count + stats.count
            if let minimumBar = form.minimumBar {
                // "[" bar "] " between the prefix and the counter.
                let barWidth = min(30, width - 1 - fixed - 3)
                if barWidth >= minimumBar { return form.prefix + " " + bar(barWidth) + " " + counter + stats }
            } else if fixed < width {
                return form.prefix + " " + counter + stats
            }
        }
        return String((short + " " + counter).prefix(max(1, width - 1)))
    }

    private func prefix(short: Bool) -> String {
        switch phase {
        case .computingFeatures:
            return short ? "s\(stage) features" : "stage \(stage) computing backbone features once"
        case .training, .validation:
            let epochs = short ? "s\(stage) e\(epoch) (\(epochInStage)/\(epochsInStage))"
                : "stage \(stage) epoch \(epoch) (\(epochInStage)/\(epochsInStage))"
            return phase == .validation ? epochs + (short ? " val" : " validating") : epochs
        }
    }

    private func statistics(speed: Bool, time: Bool) -> String {
        var stats = ""
        if let loss { stats += String(format: " loss %.4f", loss) }
        if let accuracy { stats += String(format: " acc %.4f", accuracy) }
        if speed { stats += String(format: " %.0f img/s", imagesPerSecond) }
        if !time {
            return stats
        } else if isFinished {
            stats += " " + Self.clock(seconds)
        } else if let left = estimatedSecondsLeft {
            stats += " ETA " + Self.clock(left)
        }
        return stats
    }

    /// "[=====>.....]", `width` characters between the brackets.
    private func bar(_ width: Int) -> String {
        let fraction = batches > 0 ? Double(batch) / Double(batches) : 0
        let filled = min(width, Int(fraction * Double(width)))
        let arrow = filled < width ? ">" : ""
        return "[" + String(repeating: "=", count: max(0, filled - arrow.count)) + arrow
            + String(repeating: ".", count: width - max(filled, arrow.count)) + "]"
    }

    /// "0:07", "12:34", "1:02:03".
    public static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// How wide the terminal is: what the terminal says (`TIOCGWINSZ`), else `COLUMNS`, else 80.
public enum TerminalWidth {
    public static func resolve(reported: Int?, columns: String?) -> Int {
        if let reported, reported > 0 { return reported }
        if let columns, let value = Int(columns.trimmingCharacters(in: .whitespaces)), value > 0 { return value }
        return 80
    }
}
