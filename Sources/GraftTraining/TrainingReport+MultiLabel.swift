extension TrainingReport {
    /// A multi-label model's validation metrics: the overall numbers, then precision, recall
    /// and F1 at the threshold and the threshold-free average precision of each class.
    func multiLabelTable(_ evaluation: MultiLabelReport) -> String {
        var html = "<h2>Per-class metrics (multi-label)</h2>\n<p class=\"meta\">"
            + "Mean average precision \(Self.number(evaluation.meanAveragePrecision)); exact match (every class of an image right) "
            + "\(Self.number(evaluation.exactMatchRatio)); label accuracy \(Self.number(evaluation.labelAccuracy)). "
            + "Precision, recall and F1 count a class as predicted at a probability of \(Self.number(evaluation.threshold)) or more; "
            + "average precision ranks the images by probability, whatever the threshold. The accuracies in the epochs "
            + "table are exact-match ratios.</p>\n<table class=\"numbers per-class\">\n"
            + "<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>average precision</th><th>support</th></tr>\n"
        for m in evaluation.perClass {
            html += "<tr><th>\(escapeHTML(m.name))</th><td>\(Self.number(m.precision))</td><td>\(Self.number(m.recall))</td>"
                + "<td>\(Self.number(m.f1))</td><td>\(m.averagePrecision.map(Self.number) ?? "–")</td><td>\(m.support)</td></tr>\n"
        }
        let k = Double(max(1, evaluation.perClass.count))
        func macro(_ key: KeyPath<MultiLabelReport.ClassMetrics, Double>) -> Double {
            evaluation.perClass.reduce(0) { $0 + $1[keyPath: key] } / k
        }
        html += "<tr class=\"average\"><th>macro average</th><td>\(Self.number(macro(\.precision)))</td>"
            + "<td>\(Self.number(macro(\.recall)))</td><td>\(Self.number(macro(\.f1)))</td>"
            + "<td>\(Self.number(evaluation.meanAveragePrecision))</td><td>\(evaluation.perClass.reduce(0) { $0 + $1.support })</td></tr>\n"
        return html + "</table>\n"
    }
}
