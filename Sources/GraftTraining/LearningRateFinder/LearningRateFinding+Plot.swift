import Foundation
import GraftFiles

extension LearningRateFinding {
    /// Loss against learning rate on a logarithmic axis, as fastai's `lr_find` plots it: the
    /// smoothed loss as a line, each batch's loss as faint dots, and the suggested rates marked.
    /// The y axis stops at the loss the sweep started from times 1.5, so the final climb does not
    /// flatten the part of the curve that matters.
    public func svg() -> String {
        let plot = Box(x: 60, y: 40, width: 520, height: 280)
        let rates = points.map(\.learningRate)
        let low = floor(log10(rates.min() ?? 1e-7)), high = max(ceil(log10(rates.max() ?? 10)), low + 1)
        let smoothed = points.map(\.smoothedLoss)
        let top = min(smoothed.max() ?? 1, 1.5 * (smoothed.first ?? 1))
        let yTicks = AxisTicks(covering: min(points.map(\.loss).min() ?? 0, smoothed.min() ?? 0, top), top)
        func x(_ rate: Double) -> Double { plot.x + (log10(rate) - low) / (high - low) * plot.width }
        func y(_ loss: Double) -> Double {
            let clamped = min(max(loss, yTicks.lower), yTicks.upper)
            return plot.maxY - (clamped - yTicks.lower) / (yTicks.upper - yTicks.lower) * plot.height
        }
        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="620" height="370" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(Int(plot.x))" y="24" font-size="14" font-weight="bold">Learning-rate range test, \(stage.rawValue) stage</text>

        """
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
                      plot.x, plot.y, plot.width, plot.height)
        for value in yTicks.values {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", plot.x, y(value), plot.maxX, y(value))
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n", plot.x - 5, y(value) + 4, yTicks.label(value))
        }
        for exponent in stride(from: Int(low), through: Int(high), by: 1) {
            let position = x(pow(10, Double(exponent)))
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", position, plot.y, position, plot.maxY)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">1e%d</text>\n", position, plot.maxY + 15, exponent)
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">learning rate</text>\n", plot.midX, plot.maxY + 32)
        svg += points.map {
            String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.5\" fill=\"#9ecae1\"/>", x($0.learningRate), y($0.loss))
        }.joined(separator: "\n") + "\n"
        let line = points.map { String(format: "%.1f,%.1f", x($0.learningRate), y($0.smoothedLoss)) }.joined(separator: " ")
        svg += "<polyline fill=\"none\" stroke=\"\(TrainingCurves.trainingColor)\" stroke-width=\"2\" points=\"\(line)\"/>\n"
        if let suggestions {
            let marks = [("valley (suggested)", suggestions.valley, TrainingCurves.validationColor),
                         ("steepest", suggestions.steepest, TrainingCurves.stageColor),
                         ("minimum/10", suggestions.minimumOverTen, "#888")]
            for (i, (name, rate, color)) in marks.enumerated() {
                let position = x(rate)
                svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-dasharray=\"4 3\"/>\n",
                              position, plot.y, position, plot.maxY, color)
                svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">%@ %.1e</text>\n",
                              plot.x + 8 + Double(i) * 175, plot.y - 4, color, name, rate)
            }
        }
        return svg + "</svg>\n"
    }
}

extension LearningRateFinding {
    /// Writes lr_find.svg, lr_find.csv and lr_find.json into `folder` (made when missing), each
    /// replaced whole; returns the files.
    @discardableResult
    public func write(to folder: URL) throws -> [URL] {
        try createFolder(folder)
        let files = ["svg", "csv", "json"].map { folder.appendingPathComponent("lr_find.\($0)") }
        try writeAtomically(svg(), to: files[0])
        try writeAtomically(csv, to: files[1])
        try writeAtomically(try json(), to: files[2])
        return files
    }
}
