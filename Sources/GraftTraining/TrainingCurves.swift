import Foundation

/// Accuracy and loss per epoch, training and validation, as one SVG with two panels and the
/// start of fine-tuning marked: the plot the Keras tutorials draw with matplotlib. Titles,
/// legends and the stage label sit in rows above each plot, so nothing covers a curve or another
/// label; axes step in 1-2-5 "nice" numbers.
public enum TrainingCurves {
    static let panelWidth = 420.0, height = 330.0

    public static func svg(_ history: [EpochRecord]) -> String {
        let accuracy = PanelLayout(x: 0, width: panelWidth, height: height, history: history, yTicks: AxisTicks(covering: 0, 1))
        let lossValues = (history.map(\.loss) + history.compactMap(\.validationLoss)).filter(\.isFinite)
        let loss = PanelLayout(x: panelWidth, width: panelWidth, height: height, history: history,
                               yTicks: AxisTicks(covering: min(0, lossValues.min() ?? 0), lossValues.max() ?? 1))
        let body = panel(title: "Accuracy", layout: accuracy, history: history, train: \.accuracy, validation: \.validationAccuracy)
            + panel(title: "Loss", layout: loss, history: history, train: \.loss, validation: \.validationLoss)
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth))" height="\(Int(height))" \
        font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        \(body)</svg>

        """
    }

    static let trainingColor = "#1f77b4", validationColor = "#ff7f0e", stageColor = "#2a2"

    private static func panel(title: String, layout: PanelLayout, history: [EpochRecord],
                              train: KeyPath<EpochRecord, Double>, validation: KeyPath<EpochRecord, Double?>) -> String {
        let plot = layout.plot
        var svg = String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" font-weight=\"bold\">%@</text>\n",
                         layout.title.x, layout.title.maxY - 4, title)
        svg += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n",
                      plot.x, plot.y, plot.width, plot.height)
        for value in layout.yTicks.values {
            let y = layout.y(value)
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>\n", plot.x, y, plot.maxX, y)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%@</text>\n",
                          plot.x - 5, y + 4, layout.yTicks.label(value))
        }
        for epoch in layout.epochTicks {
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n", layout.x(epoch), plot.maxY + 15, epoch)
        }
        svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">epoch</text>\n", plot.midX, plot.maxY + 32)
        if let boundary = layout.stageBoundaryX, let label = layout.stageLabel {
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-dasharray=\"2 3\"/>\n",
                          boundary, label.maxY, boundary, plot.maxY, stageColor)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">start fine-tuning</text>\n",
                          label.x, label.maxY - 4, stageColor)
        }
        svg += polyline(history.map { ($0.epoch, $0[keyPath: train]) }, layout: layout, color: trainingColor, dash: "none")
        svg += polyline(history.compactMap { r in r[keyPath: validation].map { (r.epoch, $0) } }, layout: layout,
                        color: validationColor, dash: "6 3")
        for item in layout.legendItems {
            let y = item.box.midY
            svg += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"2\" stroke-dasharray=\"%@\"/>\n",
                          item.box.x, y, item.box.x + PanelLayout.legendSwatch, y, item.color, item.dash)
            svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" fill=\"%@\">%@</text>\n",
                          item.box.x + PanelLayout.legendSwatch + 4, y + 4, item.color, item.text)
        }
        return svg
    }

    private static func polyline(_ points: [(Int, Double)], layout: PanelLayout, color: String, dash: String) -> String {
        guard !points.isEmpty else { return "" }
        let coordinates = points.map { String(format: "%.1f,%.1f", layout.x($0.0), layout.y($0.1)) }.joined(separator: " ")
        let dots = points.map {
            String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%@\"/>", layout.x($0.0), layout.y($0.1), color)
        }
        return "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\" points=\"\(coordinates)\"/>\n"
            + dots.joined(separator: "\n") + "\n"
    }
}

/// A rectangle in SVG user units (y grows downwards).
struct Box: Equatable {
    var x, y, width, height: Double
    var maxX: Double { x + width }
    var maxY: Double { y + height }
    var midX: Double { x + width / 2 }
    var midY: Double { y + height / 2 }

    func intersects(_ other: Box) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    func contains(_ other: Box) -> Bool {
        other.x >= x && other.maxX <= maxX && other.y >= y && other.maxY <= maxY
    }
}

/// Where one panel's parts go: rows for the title, the legend and the stage label above the plot.
/// Text is sized at a generous 7.5 units per character of the 12-unit font, so a wide sans-serif
/// still fits its box.
struct PanelLayout {
    static let characterWidth = 7.5, legendSwatch = 22.0

    struct LegendItem {
        let text: String
        let color: String
        let dash: String
        let box: Box
    }

    let panel: Box
    let title: Box
    let legend: Box
    let legendItems: [LegendItem]
    let plot: Box
    let yTicks: AxisTicks
    let epochTicks: [Int]
    let epochs: Int
    /// Where stage 2 begins (half-way between the last head epoch and the first fine-tuning one),
    /// and its label, in the row above the plot; nil without a second stage.
    let stageBoundaryX: Double?
    let stageLabel: Box?

    init(x: Double, width: Double, height: Double, history: [EpochRecord], yTicks: AxisTicks) {
        panel = Box(x: x, y: 0, width: width, height: height)
        let left = x + 50, right = x + width - 15
        title = Box(x: left, y: 4, width: 120, height: 20)
        let legendRow = Box(x: left, y: 28, width: right - left, height: 16)
        let labelRow = Box(x: left, y: legendRow.maxY + 4, width: right - left, height: 16)
        plot = Box(x: left, y: labelRow.maxY + 6, width: right - left, height: height - 40 - (labelRow.maxY + 6))
        self.yTicks = yTicks
        epochs = max(1, history.map(\.epoch).max() ?? 1)

        var items: [LegendItem] = []
        var cursor = left
        for (text, color, dash) in [("training", TrainingCurves.trainingColor, "none"),
                                    ("validation", TrainingCurves.validationColor, "6 3")] {
            let itemWidth = Self.legendSwatch + 4 + Double(text.count) * Self.characterWidth
            items.append(LegendItem(text: text, color: color, dash: dash,
                                    box: Box(x: cursor, y: legendRow.y, width: itemWidth, height: legendRow.height)))
            cursor += itemWidth + 16
        }
        legendItems = items
        legend = Box(x: left, y: legendRow.y, width: cursor - 16 - left, height: legendRow.height)

        // Epoch labels at a 1-2-5 step, so fifty epochs do not crowd the axis.
        let step = max(1, Int(AxisTicks.niceStep(atLeast: Double(epochs) / 10)))
        epochTicks = (1...epochs).filter { $0 == 1 || $0 % step == 0 }

        if let first = history.first(where: { $0.stage == 2 }), first.epoch > 1 {
            let plotBox = plot, epochs = self.epochs
            func px(_ epoch: Int) -> Double { Self.x(epoch, epochs: epochs, in: plotBox) }
            let boundary = (px(first.epoch - 1) + px(first.epoch)) / 2
            stageBoundaryX = boundary
            let labelWidth = Double("start fine-tuning".count) * Self.characterWidth
            // Centred over the line, kept within the plot's width.
            let labelX = min(max(boundary - labelWidth / 2, plot.x), plot.maxX - labelWidth)
            stageLabel = Box(x: labelX, y: labelRow.y, width: labelWidth, height: labelRow.height)
        } else {
            stageBoundaryX = nil
            stageLabel = nil
        }
    }

    func x(_ epoch: Int) -> Double { Self.x(epoch, epochs: epochs, in: plot) }

    private static func x(_ epoch: Int, epochs: Int, in plot: Box) -> Double {
        plot.x + plot.width * (epochs == 1 ? 0.5 : Double(epoch - 1) / Double(epochs - 1))
    }

    func y(_ value: Double) -> Double {
        let clamped = min(max(value, yTicks.lower), yTicks.upper)
        return plot.maxY - plot.height * (clamped - yTicks.lower) / (yTicks.upper - yTicks.lower)
    }
}
