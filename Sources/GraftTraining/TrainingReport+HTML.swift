import Foundation

extension TrainingReport {
    /// The report as one self-contained HTML page: inline CSS and SVG, thumbnails as `data:`
    /// URIs, no scripts and nothing fetched. Every user-provided string is escaped.
    public var html: String {
        var body = "<h1>\(escapeHTML(title))</h1>\n"
        body += "<p class=\"meta\">Written by Graft on \(escapeHTML(Self.timestamp(generated)))."
        if let keptEpoch {
            body += " The metrics below are for the weights saved in <code>model/</code>: epoch \(keptEpoch.epoch) (stage \(keptEpoch.stage))."
        }
        if case .fitted(let calibration, _, _) = calibration {
            body += " Probabilities, loss and confidences are calibrated: the logits divided by the temperature "
                + "\(String(format: "%.4g", calibration.temperature)), as <code>predict</code>, <code>serve</code> and <code>export</code> apply it."
        }
        body += "</p>\n"
        body += summaryCards()
        body += "<h2>Training curves</h2>\n<div class=\"curves\">\n\(TrainingCurves.svg(history))</div>\n"
        body += historyTable()
        body += calibrationSection()
        body += "<h2>Configuration</h2>\n<table class=\"config\">\n"
        for entry in configuration {
            body += "<tr><th>\(escapeHTML(entry.name))</th><td>\(escapeHTML(entry.value))</td></tr>\n"
        }
        body += "</table>\n"
        if let evaluation {
            body += perClassTable(evaluation)
            if let testTimeAugmentation { body += testTimeAugmentationSection(testTimeAugmentation) }
            body += confusionMatrix(evaluation)
            body += mistakesSection(evaluation.classNames)
        } else if let multiLabelEvaluation {
            body += multiLabelTable(multiLabelEvaluation)
        } else {
            body += "<p class=\"meta\">No validation images: no metrics, confusion matrix or mistakes to show.</p>\n"
        }
        if let labelIssues { body += labelIssuesSection(labelIssues) }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escapeHTML(title))</title>
        <style>
        \(Self.style)
        \(Self.labelIssuesStyle)
        </style>
        </head>
        <body>
        \(body)</body>
        </html>

        """
    }

    // MARK: - Sections

    private func summaryCards() -> String {
        var cards: [(String, String)] = []
        if let evaluation {
            cards.append(("validation accuracy", Self.number(evaluation.accuracy)))
            cards.append(("validation loss", Self.number(evaluation.loss)))
            if evaluation.topK > 1 && evaluation.topK < evaluation.classNames.count { cards.append(("top-\(evaluation.topK) accuracy", Self.number(evaluation.topKAccuracy))) }
            cards.append(("validation images", String(evaluation.count)))
        }
        if let multiLabelEvaluation {
            cards.append(("validation mAP", Self.number(multiLabelEvaluation.meanAveragePrecision)))
            cards.append(("exact match", Self.number(multiLabelEvaluation.exactMatchRatio)))
            cards.append(("validation loss", Self.number(multiLabelEvaluation.loss)))
            cards.append(("validation images", String(multiLabelEvaluation.count)))
        }
        if case .fitted(let calibration, _, _) = calibration {
            cards.append(("expected calibration error, T = 1 → \(String(format: "%.3g", calibration.temperature))",
                          Self.number(calibration.expectedCalibrationErrorBefore) + " → " + Self.number(calibration.expectedCalibrationErrorAfter)))
        }
        for stage in [1, 2] {
            if let last = history.last(where: { $0.stage == stage }), let accuracy = last.validationAccuracy {
                cards.append(("stage \(stage), last epoch", Self.number(accuracy)))
            }
        }
        let seconds = history.reduce(0) { $0 + $1.seconds }
        if !history.isEmpty { cards.append(("training time", Self.duration(seconds))) }
        guard !cards.isEmpty else { return "" }
        return "<div class=\"cards\">\n" + cards.map { name, value in
            "<div class=\"card\"><div class=\"value\">\(value)</div><div class=\"label\">\(escapeHTML(name))</div></div>"
        }.joined(separator: "\n") + "\n</div>\n"
    }

    private func historyTable() -> String {
        guard !history.isEmpty else { return "" }
        let withMAP = history.contains { $0.validationMeanAveragePrecision != nil }
        var html = "<h2>Epochs</h2>\n<table class=\"numbers history\">\n<tr><th>epoch</th><th>stage</th><th>loss</th><th>accuracy</th>"
            + "<th>val loss</th><th>val accuracy</th>\(withMAP ? "<th>val mAP</th>" : "")<th>learning rate</th><th>images/s</th><th>seconds</th></tr>\n"
        for r in history {
            let kept = keptEpoch?.epoch == r.epoch ? " class=\"kept\" title=\"the weights kept\"" : ""
            html += "<tr\(kept)><td>\(r.epoch)</td><td>\(r.stage)</td><td>\(Self.number(r.loss))</td><td>\(Self.number(r.accuracy))</td>"
                + "<td>\(r.validationLoss.map(Self.number) ?? "–")</td><td>\(r.validationAccuracy.map(Self.number) ?? "–")</td>"
                + (withMAP ? "<td>\(r.validationMeanAveragePrecision.map(Self.number) ?? "–")</td>" : "")
                + "<td>\(String(format: "%.2e", r.learningRate))</td>"
                + "<td>\(String(format: "%.0f", r.imagesPerSecond))\(r.cachedFeatures ? " (cached)" : "")</td>"
                + "<td>\(String(format: "%.1f", r.seconds))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The temperature, what it changed (ECE, NLL) and the reliability diagram; or why there is none.
    private func calibrationSection() -> String {
        var html = "<h2>Calibration</h2>\n"
        guard case let .fitted(c, _, _) = calibration, let svg = calibration.svg else {
            let reason: String
            switch calibration {
            case .switchedOff: reason = "Switched off (<code>--calibration none</code>): the probabilities are the softmax of the logits (T = 1)."
            case .noValidationImages: reason = "No validation images to fit a temperature on: the probabilities are the softmax of the logits (T = 1), uncalibrated."
            default: reason = "No temperature was fitted for these weights: the probabilities are the softmax of the logits (T = 1)."
            }
            return html + "<p class=\"meta\">\(reason)</p>\n"
        }
        let temperature = String(format: "%.4g", c.temperature)
        html += "<p class=\"meta\">Temperature scaling (Guo et al. 2017): one temperature T, fitted on the \(c.validationImages) "
        html += "validation images by minimizing their negative log-likelihood, divides the logits before the softmax in "
        html += "<code>predict</code>, <code>evaluate</code>, <code>serve</code> and <code>export</code>. The predicted class, "
        html += "and so the accuracy, does not change. Expected calibration error: \(Reliability.standardBinCount) equal-width bins "
        html += "of top-1 confidence. In the diagram, points below the diagonal are over-confident.</p>\n"
        if c.isAtSearchLimit {
            let range = TemperatureScaling.searchedTemperatures
            html += "<p class=\"meta\">The fit stopped at an end of the range searched (T from \(range.lowerBound) to \(range.upperBound)): "
            html += "too few validation images, or ones the model separates perfectly.</p>\n"
        }
        html += "<table class=\"numbers calibration\">\n<tr><th></th><th>T</th><th>ECE</th><th>NLL</th></tr>\n"
        let before = [Self.number(c.expectedCalibrationErrorBefore), Self.number(c.negativeLogLikelihoodBefore)]
        let after = [Self.number(c.expectedCalibrationErrorAfter), Self.number(c.negativeLogLikelihoodAfter)]
        html += "<tr><th>before</th><td>1</td><td>" + before.joined(separator: "</td><td>") + "</td></tr>\n"
        html += "<tr><th>after</th><td>\(temperature)</td><td>" + after.joined(separator: "</td><td>") + "</td></tr>\n</table>\n"
        return html + "<div class=\"curves\">\n\(svg)</div>\n"
    }

    private func perClassTable(_ evaluation: EvaluationReport) -> String {
        var html = "<h2>Per-class metrics</h2>\n<table class=\"numbers per-class\">\n"
            + "<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>\n"
        for m in evaluation.perClass {
            html += "<tr><th>\(escapeHTML(m.name))</th><td>\(Self.number(m.precision))</td><td>\(Self.number(m.recall))</td>"
                + "<td>\(Self.number(m.f1))</td><td>\(m.support)</td></tr>\n"
        }
        let k = Double(max(1, evaluation.perClass.count))
        let total = evaluation.perClass.reduce(0) { $0 + $1.support }
        func macro(_ key: KeyPath<EvaluationReport.ClassMetrics, Double>) -> Double {
            evaluation.perClass.reduce(0) { $0 + $1[keyPath: key] } / k
        }
        func weighted(_ key: KeyPath<EvaluationReport.ClassMetrics, Double>) -> Double {
            evaluation.perClass.reduce(0) { $0 + $1[keyPath: key] * Double($1.support) } / Double(max(1, total))
        }
        html += "<tr class=\"average\"><th>macro average</th><td>\(Self.number(macro(\.precision)))</td>"
            + "<td>\(Self.number(macro(\.recall)))</td><td>\(Self.number(macro(\.f1)))</td><td>\(total)</td></tr>\n"
        html += "<tr class=\"average\"><th>weighted average</th><td>\(Self.number(weighted(\.precision)))</td>"
            + "<td>\(Self.number(weighted(\.recall)))</td><td>\(Self.number(weighted(\.f1)))</td><td>\(total)</td></tr>\n"
        return html + "</table>\n"
    }

    /// Rows are true classes, columns predicted ones; each cell is shaded by its share of the
    /// row (blue on the diagonal, red off it; square-root scale), so a row reads as that class's recall.
    private func confusionMatrix(_ evaluation: EvaluationReport) -> String {
        let names = evaluation.classNames.map(escapeHTML)
        var html = "<h2>Confusion matrix</h2>\n<p class=\"meta\">Rows: true class; columns: predicted class. "
            + "Shading: the cell's share of its row (blue: right, red: confused), on a square-root scale.</p>\n<table class=\"confusion\">\n"
        html += "<tr><th class=\"corner\">true \\ predicted</th>" + names.map { "<th class=\"predicted\">\($0)</th>" }.joined()
            + "<th class=\"total\">total</th></tr>\n"
        for (t, row) in evaluation.confusionMatrix.enumerated() {
            let total = row.reduce(0, +)
            html += "<tr><th class=\"true\">\(names[t])</th>"
            for (p, count) in row.enumerated() {
                let share = total > 0 ? Double(count) / Double(total) : 0
                // The square root lets a confusion of a few percent show next to a full diagonal.
                let shade = share.squareRoot()
                let colour = t == p ? "31,119,180" : "214,39,40"
                let text = shade > 0.6 ? "color:#fff;" : (count == 0 ? "color:#bbb;" : "")
                let title = "\(names[t]) predicted as \(names[p]): \(count) of \(total) (\(String(format: "%.1f", share * 100))%)"
                html += "<td class=\"cm\(t == p ? " diagonal" : "")\" style=\"background:rgba(\(colour),\(String(format: "%.3f", shade)));\(text)\" "
                    + "title=\"\(title)\">\(count)</td>"
            }
            html += "<td class=\"total\">\(total)</td></tr>\n"
        }
        let columns = (0..<names.count).map { p in evaluation.confusionMatrix.reduce(0) { $0 + $1[p] } }
        html += "<tr><th class=\"total\">total</th>" + columns.map { "<td class=\"total\">\($0)</td>" }.joined()
            + "<td class=\"total\">\(evaluation.count)</td></tr>\n"
        return html + "</table>\n"
    }

    private func mistakesSection(_ classNames: [String]) -> String {
        var html = "<h2>Most confidently wrong</h2>\n"
        guard !mistakes.isEmpty else { return html + "<p class=\"meta\">No validation image was misclassified.</p>\n" }
        html += "<p class=\"meta\">The \(mistakes.count) misclassified validation images the model was surest of, "
            + "by the probability of the wrong class, each beside its Grad-CAM heat map: where the model looked for the class "
            + "it predicted (red: most), over the image as the model saw it.</p>\n<div class=\"mistakes\">\n"
        for m in mistakes {
            let file = escapeHTML(m.file.lastPathComponent)
            let image = (m.thumbnail.map { "<img src=\"\(escapeHTML($0))\" alt=\"\(file)\">" }
                ?? "<div class=\"missing\">image unreadable</div>")
                + (m.heatMap.map { "<img src=\"\(escapeHTML($0))\" alt=\"heat map of \(file)\" class=\"heat\">" } ?? "")
            html += "<figure title=\"\(escapeHTML(m.file.path))\">\(image)<figcaption>"
                + "<span class=\"wrong\">predicted \(escapeHTML(classNames[m.predictedLabel])) (\(String(format: "%.1f", m.probability * 100))%)</span><br>"
                + "true \(escapeHTML(classNames[m.trueLabel])) (\(String(format: "%.1f", m.trueClassProbability * 100))%)<br>"
                + "<span class=\"file\">\(file)</span></figcaption></figure>\n"
        }
        return html + "</div>\n"
    }

    // MARK: - Formatting

    static func number(_ value: Double) -> String { value.isFinite ? String(format: "%.4f", value) : String(value) }

    private static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.1f s", seconds) : String(format: "%d min %02d s", Int(seconds) / 60, Int(seconds) % 60)
    }

    private static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    private static let style = """
    body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1100px; \
    padding: 0 1em; color: #222; }
    h1 { font-size: 1.6em; margin-bottom: 0.2em; }
    h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
    .meta { color: #666; font-size: 0.9em; }
    code { background: #f3f3f3; padding: 0 0.2em; }
    .cards { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }
    .card { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; min-width: 8em; }
    .card .value { font-size: 1.4em; font-weight: 600; }
    .card .label { color: #666; font-size: 0.85em; }
    .curves svg { max-width: 100%; height: auto; }
    table { border-collapse: collapse; font-size: 0.9em; }
    th, td { padding: 0.25em 0.6em; }
    th { text-align: left; font-weight: 600; }
    table.config th { color: #555; font-weight: normal; vertical-align: top; }
    table.numbers td { text-align: right; font-variant-numeric: tabular-nums; }
    table.numbers tr:nth-child(even) { background: #f7f7f7; }
    table.numbers tr.kept { background: #e6f0fa; font-weight: 600; }
    table.numbers tr.average th, table.numbers tr.average td { border-top: 1px solid #ccc; color: #444; }
    table.confusion td { text-align: right; min-width: 2.5em; border: 1px solid #eee; font-variant-numeric: tabular-nums; }
    table.confusion th.predicted { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; vertical-align: bottom; }
    table.confusion .total { color: #666; font-weight: normal; }
    .mistakes { display: flex; flex-wrap: wrap; gap: 0.8em; }
    .mistakes figure { margin: 0; width: 200px; font-size: 0.8em; }
    .mistakes img { display: inline-block; max-width: 96px; max-height: 96px; border: 1px solid #ccc; image-rendering: auto; }
    .mistakes img.heat { margin-left: 2px; }
    .mistakes .missing { width: 96px; height: 96px; background: #eee; color: #999; font-size: 0.8em; }
    .mistakes .wrong { color: #c62828; font-weight: 600; }
    .mistakes .file { color: #888; word-break: break-all; }
    """
}
