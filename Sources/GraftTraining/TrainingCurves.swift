import Foundation

/// Accuracy and loss per epoch, training and validation, as one SVG with two panels and the
/// start of fine-tuning marked: the plot the Keras tutorials draw with matplotlib.
public enum TrainingCurves {
    public static func svg(_ history: [EpochRecord]) -> String {
        let panelWidth = 420.0, panelHeight = 300.0
        var body = ""
        body += panel(title: "Accuracy", history: history, x: 0, width: panelWidth, height: panelHeight,
                      train: \.accuracy, validation: \.validationAccuracy, fixedRange: 0...1)
        body += panel(title: "Loss", history: history, x: panelWidth, width: panelWidth, height: panelHeight,
                      train: \.loss, validation: \.validationLoss, fixedRange: nil)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth))" height="\(Int(panelHeight))" \
        font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        \(body)</svg>

        """
    }

    private static func panel(title: String, history: [EpochRecord], x: Double, width: Double, height: Double,
                              train: KeyPath<EpochRecord, Double>, validation: KeyPath<EpochRecord, Double?>,
                              fixedRange: ClosedRange<Double>?) -> String {
        let left = x + 50, right = x + width - 15, top = 30.0, bottom = height - 40
        let values = history.map { $0[keyPath: train] } + history.compactMap { $0[keyPath: validation] }
        let finite = values.filter(\.isFinite)
        var low = fixedRange?.lowerBound ?? (finite.min() ?? 0), high = fixedRange?.upperBound ?? (finite.max() ?? 1)
        if fixedRange == nil { low = min(low, 0) }
        if high <= low { high = low + 1 }
        let epochs = max(1, history.count)
        func px(_ epoch: Int) -> Double { left + (right - left) * (epochs == 1 ? 0.5 : Double(epoch - 1) / Double(epochs - 1)) }
        func py(_ v: Double) -> Double { bottom - (bottom - top) * (min(max(v, low), high) - low) / (high - low) }
        func polyline(_ points: [(Int, Double)], color: String, dash: String) -> String {
            guard !points.isEmpty else { return "" }
            let coordinates = points.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
            let dots = points.map { String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%@\"/>", px($0.0), py($0.1), color) }
            return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\" points=\"\(coordinates)\"/>\n"
                + dots.joined(separator: "\n") + "\n"
        }
        var svg = String(format: "<text x=\"%.1f\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%@</text>\n", left, title)
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
                      left, top, right - left, bottom - top)
        for i in 0...4 {
            let v = low + (high - low) * Double(i) / 4
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.2f</text>\n", left - 5, py(v) + 4, v)
        }
        for r in history {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n", px(r.epoch), bottom + 15, r.epoch)
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">epoch</text>\n", (left + right) / 2, bottom + 32)
        // The boundary sits half-way between the last head epoch and the first fine-tuning one.
        if let first = history.first(where: { $0.stage == 2 }), first.epoch > 1 {
            let bx = (px(first.epoch - 1) + px(first.epoch)) / 2
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#2a2\" stroke-dasharray=\"2 3\"/>\n", bx, top, bx, bottom)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#2a2\">start fine-tuning</text>\n", bx + 4, top + 14)
        }
        svg += polyline(history.map { ($0.epoch, $0[keyPath: train]) }, color: "#1f77b4", dash: "none")
        svg += polyline(history.compactMap { r in r[keyPath: validation].map { (r.epoch, $0) } }, color: "#ff7f0e", dash: "6 3")
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#1f77b4\">training</text>\n", right - 120, top + 14)
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"#ff7f0e\">validation</text>\n", right - 60, top + 14)
        return svg
    }
}
