import Foundation

/// The reliability diagram of a calibration as one SVG: for each confidence bin, the accuracy of
/// its images against their mean confidence, before (T = 1) and after temperature scaling, beside
/// the diagonal a perfectly calibrated model would follow; below, how many images each bin holds.
/// Points below the diagonal are over-confidence. Drawn as `TrainingCurves` draws, in rows that
/// never overlap: title, legend, plot, counts.
public enum ReliabilityDiagram {
    static let width = 440.0
    static let beforeColor = "#d62728", afterColor = "#1f77b4", diagonalColor = "#666"

    public static func svg(before: Reliability, after: Reliability, temperature: Double) -> String {
        let left = 55.0, right = width - 20
        let title = Box(x: left, y: 4, width: right - left, height: 20)
        let legend = Box(x: left, y: title.maxY + 4, width: right - left, height: 51)
        let plot = Box(x: left, y: legend.maxY + 8, width: right - left, height: right - left)
        let counts = Box(x: left, y: plot.maxY + 58, width: right - left, height: 44)
        let height = counts.maxY + 8
        let ticks = AxisTicks(covering: 0, 1)
        func x(_ confidence: Double) -> Double { plot.x + plot.width * min(max(confidence, 0), 1) }
        func y(_ accuracy: Double) -> Double { plot.maxY - plot.height * min(max(accuracy, 0), 1) }

        var svg = String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">Reliability on %d validation images</text>\n",
                         title.x, title.maxY - 4, after.images)
        let series = [
            (String(format: "before (T = 1): ECE %.4f", before.expectedCalibrationError), beforeColor, "6 3", before),
            (String(format: "after (T = %.3g): ECE %.4f", temperature, after.expectedCalibrationError), afterColor, "none", after),
        ]
        for (i, entry) in series.enumerated() {
            let rowY = legend.y + Double(i) * 17 + 8
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\" stroke-dasharray=\"%@\"/>\n",
                          legend.x, rowY, legend.x + 22, rowY, entry.1, entry.2)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">%@</text>\n", legend.x + 26, rowY + 4, entry.1, entry.0)
        }
        let diagonalY = legend.y + 2 * 17 + 8
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-dasharray=\"2 3\"/>\n",
                      legend.x, diagonalY, legend.x + 22, diagonalY, diagonalColor)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">perfect calibration (accuracy = confidence)</text>\n",
                      legend.x + 26, diagonalY + 4, diagonalColor)
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
                      plot.x, plot.y, plot.width, plot.height)
        for value in ticks.values {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", plot.x, y(value), plot.maxX, y(value))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", plot.x - 5, y(value) + 4, ticks.label(value))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%@</text>\n", x(value), plot.maxY + 15, ticks.label(value))
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">confidence (probability of the predicted class)</text>\n",
                      plot.midX, plot.maxY + 32)
        svg += String(format: "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" text-anchor=\"middle\">accuracy</text>\n",
                      plot.x - 38, plot.midY)
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-dasharray=\"2 3\"/>\n",
                      x(0), y(0), x(1), y(1), diagonalColor)
        for (_, color, dash, reliability) in series {
            let points = reliability.bins.filter { $0.count > 0 }.map { (x($0.confidence), y($0.accuracy)) }
            guard !points.isEmpty else { continue }
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\" points=\""
                + points.map { String(format: "%.1f,%.1f", $0.0, $0.1) }.joined(separator: " ") + "\"/>\n"
            svg += points.map { String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", $0.0, $0.1, color) }
                .joined(separator: "\n") + "\n"
        }
        svg += countBars(before: before, after: after, in: counts)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        \(svg)</svg>

        """
    }

    /// Images per bin, before and after side by side within each bin's width, scaled to the fullest bin.
    private static func countBars(before: Reliability, after: Reliability, in box: Box) -> String {
        let fullest = Double(max(1, (before.bins + after.bins).map(\.count).max() ?? 1))
        var svg = String(format: "<text x=\"%.1f\" y=\"%.1f\">images per bin (most: %d)</text>\n", box.x, box.y - 6, Int(fullest))
        svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n", box.x, box.maxY, box.maxX, box.maxY)
        for (offset, color, reliability) in [(0.0, beforeColor, before), (0.5, afterColor, after)] {
            for bin in reliability.bins where bin.count > 0 {
                let barWidth = box.width * (bin.upper - bin.lower) / 2
                let barHeight = box.height * Double(bin.count) / fullest
                svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\" fill-opacity=\"0.7\"><title>%d images</title></rect>\n",
                              box.x + box.width * bin.lower + offset * 2 * barWidth, box.maxY - barHeight, barWidth, barHeight, color, bin.count)
            }
        }
        return svg
    }
}
